package dev.gpubox.cli.init;

/** A step that cannot go on: what was found, what the user does next, and the exit status. */
class InitFailure extends Exception {
    final int exit;

    InitFailure(int exit, String message) {
        super(message);
        this.exit = exit;
    }
}
