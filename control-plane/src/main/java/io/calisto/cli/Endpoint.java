package io.calisto.cli;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** {@code HOST:PORT} of a management endpoint ({@code serve --bind}, {@code ctl --connect}); IPv6 as {@code [::1]:PORT}. */
record Endpoint(String host, int port) {
    static Endpoint parse(String option, String text) {
        String t = text.strip();
        int colon = t.lastIndexOf(':');
        if (colon <= 0 || colon == t.length() - 1) throw new UserError(option + " must be HOST:PORT, was '" + text + "'");
        String host = t.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        else if (host.contains(":")) throw new UserError(option + " must be HOST:PORT (IPv6 as [ADDRESS]:PORT), was '" + text + "'");
        int port;
        try {
            port = Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new UserError(option + " port must be a number in 0..65535, was '" + t.substring(colon + 1) + "'");
        }
        if (port < 0 || port > 65535) throw new UserError(option + " port must be in 0..65535, was " + port);
        return new Endpoint(host, port);
    }

    InetAddress address(String option) {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new UserError(option + ": unknown host '" + host + "'");
        }
    }

    /** Pekko's form of the host in an address: IPv6 literals in brackets. */
    String pekkoHost() { return host.contains(":") ? "[" + host + "]" : host; }

    @Override
    public String toString() { return pekkoHost() + ":" + port; }
}
