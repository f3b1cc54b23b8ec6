package io.calisto.cli;

import com.typesafe.config.ConfigException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./calisto}: user mistakes end with exit code 2 and one line on stderr, never a stack trace. */
@Command(name = "calisto", mixinStandardHelpOptions = true, version = "Calisto-J 0.1.0",
    description = "Low-latency packet dataplane: Shenango's IOKernel with Calisto's flow-affinity dispatch.",
    subcommands = {RunCommand.class, FlowsCommand.class, BenchCommand.class, ExperimentCommand.class, LoadgenCommand.class, SoakCommand.class,
        ServeCommand.class, CtlCommand.class, StatCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    public static final int USAGE = 2;

    public static void main(String[] args) {
        // initialise SLF4J before any other thread logs, or it prints a "replayed calls" warning
        org.slf4j.LoggerFactory.getILoggerFactory();
        // a shutdown that hangs ends this process (exit 3) instead of holding it: only here, not in-process callers
        io.calisto.control.ShutdownWatchdog.haltOnExpiry(true);
        int code = execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        io.calisto.control.ShutdownWatchdog.beforeExit(System.err);
        System.exit(code);
    }

    /** Prints each line at once: long-running commands report progress as they go. */
    static java.util.function.Consumer<String> lines(PrintWriter out) {
        return line -> {
            out.println(line);
            out.flush();
        };
    }

    /**
     * A user mistake as the one line the CLI prints. The message may quote what the user gave (a config value, a name)
     * and that may hold line breaks: they are shown as {@code \n} (DataplaneSettingsFuzzTest found a policy "modulo\nX"
     * printed on two lines).
     */
    public static String userLine(String message) {
        return "calisto: " + String.valueOf(message).replace("\r", "\\r").replace("\n", "\\n");
    }

    /** Runs the CLI with the given streams and returns the exit code (tests call this directly). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out).setErr(err);
        cli.setParameterExceptionHandler((e, a) -> {
            err.println("calisto: " + e.getMessage());
            return USAGE;
        });
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof UserError || e instanceof IllegalArgumentException || e instanceof ConfigException) {
                err.println(userLine(e.getMessage()));
                return USAGE;
            }
            throw e;
        });
        return cli.execute(args);
    }
}
