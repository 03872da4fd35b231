package dev.gpubox.functions;

import com.amazonaws.services.lambda.runtime.Context;
import java.io.PrintWriter;
import java.io.StringWriter;

/** One log line per event, to the Lambda logger when there is one (tests and local mode pass none). */
final class Log {
    private Log() {
    }

    static void line(Context context, String message) {
        if (context != null && context.getLogger() != null) {
            context.getLogger().log(message + "\n");
        } else {
            System.out.println(message);
        }
    }

    static void failure(Context context, String what, Throwable t) {
        StringWriter trace = new StringWriter();
        t.printStackTrace(new PrintWriter(trace));
        // One entry, not one CloudWatch event per stack frame.
        line(context, what + " failed unexpectedly: " + trace.toString().replace('\n', '\r'));
    }
}
