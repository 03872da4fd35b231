package dev.gpubox.functions;

import dev.gpubox.box.AwsClients;
import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.BoxControl;

/** What a handler's no-arg (Lambda) constructor builds: the container's clients and the function's environment. */
final class Lambda {
    private Lambda() {
    }

    static BoxControl boxControl() {
        BoxConfig config = BoxConfig.fromEnvironment();
        return new BoxControl(AwsClients.ec2(), config, java.time.Clock.systemUTC(), dev.gpubox.box.Sleeper.REAL,
                AwsClients.notifier(config), AwsClients.budget(config));
    }
}
