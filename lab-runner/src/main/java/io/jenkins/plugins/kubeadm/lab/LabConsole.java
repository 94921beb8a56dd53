package io.jenkins.plugins.kubeadm.lab;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/**
 * The lab process's output: each line goes to the person who ran {@code ./lab up} (through the
 * foreground process, until the lab detaches) and to lab.log. A secret line (the admin password) goes
 * only to the person, once.
 */
final class LabConsole {

    /** The line that tells the foreground the lab is up and which exit code to end with; never shown. */
    static final String DETACH_MARKER = "@@kubeadm-lab@@ detach ";

    private final PrintStream person;
    private final PrintStream log;
    private boolean detached;

    LabConsole(Path logFile) throws IOException {
        this.person = System.out;
        this.log = new PrintStream(new FileOutputStream(logFile.toFile(), true), true, StandardCharsets.UTF_8);
    }

    synchronized void say(String line) {
        if (!detached) {
            person.println(line);
        }
        log.println(LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")) + " " + line);
    }

    /** Shown to the person once and never written anywhere. */
    synchronized void sayOnlyToThePerson(String line) {
        if (!detached) {
            person.println(line);
        }
    }

    /**
     * Ends the foreground's wait with this exit code; from here on output goes to lab.log only (the
     * foreground is gone, and so would be anything printed to it), including what libraries print.
     */
    synchronized void detach(int exitCode) {
        person.println(DETACH_MARKER + exitCode);
        person.flush();
        detached = true;
        System.setOut(log);
        System.setErr(log);
    }
}
