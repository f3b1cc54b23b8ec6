package io.calisto.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Found by DataplaneSettingsFuzzTest: a config value with a line break made the one-line error two lines. */
class UserLineTest {
    @TempDir Path dir;

    @Test
    void aValueWithALineBreakStillGivesOneLine() throws Exception {
        Path conf = dir.resolve("bad.conf");
        Files.writeString(conf, "calisto.dispatch.policy = \"modulo\\nX\"\n");
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(new String[] {"run", "--config", conf.toString()}, new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(2, code);
        assertEquals("calisto: calisto.dispatch.policy must be one of modulo, affinity, affinity-held, affinity-rebind, affinity-published;"
            + " was 'modulo\\nX'" + System.lineSeparator(), err.toString());
        assertEquals("", out.toString());
    }
}
