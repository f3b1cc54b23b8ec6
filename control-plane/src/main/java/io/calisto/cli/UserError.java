package io.calisto.cli;

/** A mistake in what the user asked for (file, option, config): reported as one line, exit code 2. */
public final class UserError extends RuntimeException {
    public UserError(String message) { super(message, null, false, false); }
}
