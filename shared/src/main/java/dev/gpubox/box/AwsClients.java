package dev.gpubox.box;

import java.time.Duration;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.sns.SnsClient;

/**
 * Builds the SDK clients once per container (the aws-sdk-java-v2 archetype-lambda DependencyFactory pattern).
 *
 * <p>Region and credentials come from the SDK's default provider chains ({@code AWS_REGION} and the
 * function's role in Lambda). No endpoint is set here on purpose: the SDK reads {@code AWS_ENDPOINT_URL_EC2}
 * and {@code AWS_ENDPOINT_URL} itself, which is how local mode and tests point the same handlers at an
 * EC2-compatible stand-in.
 */
public final class AwsClients {
    /** Below API Gateway's 29 s, so a hung call becomes our JSON error, not the gateway's 504. */
    private static final Duration API_CALL_TIMEOUT = Duration.ofSeconds(20);
    /**
     * A notice is sent after the nightly stop's budget is spent, inside the handler's margin
     * (ScheduledStopHandler.MARGIN), so a hung SNS must not take the whole margin.
     */
    static final Duration NOTICE_CALL_TIMEOUT = Duration.ofSeconds(5);

    private AwsClients() {
    }

    /** The container's EC2 client, built on first use. */
    public static Ec2Client ec2() {
        return Ec2Holder.CLIENT;
    }

    /** The container's notifier: SNS when the function has a topic, otherwise none. */
    public static Notifier notifier(BoxConfig config) {
        String topic = config.settings().topicArn();
        return topic == null ? Notifier.NONE : new SnsNotifier(() -> SnsHolder.CLIENT, topic);
    }

    /**
     * The container's monthly budget: the DynamoDB ledger when the function has a table
     * ({@link BudgetSettings#LEDGER_TABLE}), the Price List API for prices (EC2's Spot price for a Spot box);
     * otherwise off. No client is built
     * until a call needs one.
     */
    public static MonthlyBudget budget(BoxConfig config) {
        BudgetSettings settings = BudgetSettings.fromEnvironment();
        if (settings.ledgerTable() == null) {
            return MonthlyBudget.off(config);
        }
        Ledger ledger = new DynamoLedger(() -> DynamoHolder.CLIENT, settings.ledgerTable());
        return new MonthlyBudget(ledger, config, settings, new OnDemandPrices(ledger,
                new AwsPriceList(() -> PricingHolder.HTTP,
                        DefaultCredentialsProvider.builder().build(), AwsPriceList.endpointFromEnvironment()), config.pricing(), settings.region(),
                java.time.Clock.systemUTC(), new SpotPrices(AwsClients::ec2, java.time.Clock.systemUTC())));
    }

    public static DynamoDbClient createDynamo() {
        return DynamoDbClient.builder()
                .httpClient(httpClient())
                .overrideConfiguration(o -> o.apiCallTimeout(NOTICE_CALL_TIMEOUT))
                .build();
    }

    public static Ec2Client createEc2() {
        return Ec2Client.builder()
                .httpClient(httpClient())
                .overrideConfiguration(ec2Overrides())
                .build();
    }

    /** The container EC2 client's overrides; SnapStart priming builds its throwaway twin with the same. */
    public static ClientOverrideConfiguration ec2Overrides() {
        return ClientOverrideConfiguration.builder().apiCallTimeout(API_CALL_TIMEOUT).build();
    }

    public static SnsClient createSns() {
        return SnsClient.builder()
                .httpClient(httpClient())
                .overrideConfiguration(o -> o.apiCallTimeout(NOTICE_CALL_TIMEOUT))
                .build();
    }

    /** A new HTTP client configured as the container's clients are (each caller closes its own). */
    public static SdkHttpClient httpClient() {
        return UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(3))
                .socketTimeout(Duration.ofSeconds(10))
                .build();
    }

    private static final class Ec2Holder {
        private static final Ec2Client CLIENT = createEc2();
    }

    private static final class DynamoHolder {
        private static final DynamoDbClient CLIENT = createDynamo();
    }

    private static final class PricingHolder {
        private static final SdkHttpClient HTTP = httpClient();
    }

    private static final class SnsHolder {
        private static final SnsClient CLIENT = createSns();
    }
}
