package dev.gpubox.cli.init;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Locale;

/** A y/N question on the terminal; {@code --yes} answers yes without asking. No input means no. */
final class Prompt {
    private final BufferedReader in;
    private final PrintStream out;
    private final boolean yes;

    Prompt(BufferedReader in, PrintStream out, boolean yes) {
        this.in = in;
        this.out = out;
        this.yes = yes;
    }

    boolean confirm(String question) throws IOException {
        if (yes) {
            out.println(question + " yes (--yes)");
            return true;
        }
        out.print(question + " [y/N] ");
        out.flush();
        String answer = in.readLine();
        return answer != null && answer.trim().toLowerCase(Locale.ROOT).matches("y|yes");
    }
}
