package dev.gpubox.functions;

import static dev.gpubox.box.Ec2Fixtures.config;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verifyNoInteractions;

import dev.gpubox.box.MonthlyBudget;
import dev.gpubox.box.Notifier;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.ec2.Ec2Client;

/** The morning start refuses what is not its schedule's payload, in its own words, before any EC2 call. */
class ScheduledStartHandlerTest {
    final Ec2Client ec2 = mock(Ec2Client.class);

    static Stream<Path> apiEvents() {
        return Events.all().stream().filter(Events::isApiEvent);
    }

    @ParameterizedTest
    @MethodSource("apiEvents")
    void anApiRequestStartsNothingAndSaysSo(Path file) {
        ScheduledStartHandler handler = new ScheduledStartHandler(ec2, config(), Notifier.NONE, Clock.systemUTC(),
                MonthlyBudget.off(config()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> handler.handleRequest(
                new ByteArrayInputStream(Events.raw(file)), new ByteArrayOutputStream(), null));
        assertTrue(e.getMessage().startsWith("The morning start is not behind the API"), e.getMessage());
        assertTrue(e.getMessage().endsWith("Nothing was started."), e.getMessage());
        verifyNoInteractions(ec2);
    }
}
