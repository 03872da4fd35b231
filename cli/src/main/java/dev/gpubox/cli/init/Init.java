package dev.gpubox.cli.init;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * {@code ./gpubox init}: the console steps of a first deploy as one command, against the user's AWS
 * credentials (default provider chain). Each step says what it found and what it did; a second run finds
 * everything in place and changes nothing. It ends by writing samconfig.toml, so the next command is
 * {@code ./gpubox deploy}.
 */
public final class Init {
    static final String USAGE_LINE = "./gpubox init [--region R] [--ssh-cidr CIDR] [--instance-type T] [--key-name N"
            + " | --public-key FILE] [--timezone Z] [--stack NAME] [--image-id AMI | --update-ami] [--spot] [--config FILE] [--yes]";
    static final String DEFAULT_TYPE = "g4dn.xlarge";
    static final String DEFAULT_STACK = "gpubox";
    private static final Set<String> BOOLEAN_FLAGS = Set.of("yes", "update-ami", "spot");
    private static final Set<String> VALUE_FLAGS = Set.of("region", "instance-type", "key-name", "public-key",
            "ssh-cidr", "timezone", "stack", "image-id", "config");
    private static final Pattern CIDR = Pattern.compile("^(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/(\\d{1,2})$");

    /** The three clients init needs, for one region. */
    public record Clients(Ec2Client ec2, SsmClient ssm, ServiceQuotas quotas) {
        static Clients defaults(Region region, Map<String, String> env) {
            // Default credential chain and HTTP client (url-connection, the only one on the class path);
            // no endpoint here: AWS_ENDPOINT_URL points the SDK elsewhere.
            return new Clients(Ec2Client.builder().region(region).build(),
                    SsmClient.builder().region(region).build(),
                    ServiceQuotas.defaults(region, env));
        }
    }

    private final Map<String, String> env;
    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private final Function<Region, Clients> clients;
    private final ZoneId laptopZone;

    public Init(Map<String, String> env, InputStream in, PrintStream out, PrintStream err) {
        this(env, in, out, err, region -> Clients.defaults(region, env),
                LaptopZone.of(env).map(ZoneId::of).orElse(ZoneId.systemDefault()));
    }

    Init(Map<String, String> env, InputStream in, PrintStream out, PrintStream err,
         Function<Region, Clients> clients, ZoneId laptopZone) {
        this.env = env;
        this.in = in;
        this.out = out;
        this.err = err;
        this.clients = clients;
        this.laptopZone = laptopZone;
    }

    /** Runs every step; the exit status. */
    public int run(List<String> args) {
        try {
            steps(flags(args));
            return 0;
        } catch (InitFailure f) {
            err.println("gpubox init: " + f.getMessage());
            return f.exit;
        } catch (SdkException e) {
            err.println("gpubox init: AWS said: " + e.getMessage()
                    + " (check your credentials: aws sts get-caller-identity)");
            return 1;
        } catch (IOException e) {
            err.println("gpubox init: " + e.getMessage());
            return 1;
        }
    }

    private void steps(Map<String, String> flags) throws InitFailure, IOException {
        Path configFile = Path.of(flags.getOrDefault("config", "samconfig.toml"));
        SamConfig config = SamConfig.load(configFile);
        Map<String, String> overrides = new LinkedHashMap<>(config.overrides());

        String sshCidr = flags.containsKey("ssh-cidr") ? cidr(flags.get("ssh-cidr")) : overrides.get("SshCidr");
        if (sshCidr == null) {
            throw new InitFailure(2, "give --ssh-cidr with your address as a /32, e.g. --ssh-cidr 203.0.113.7/32"
                    + " (curl -s https://checkip.amazonaws.com): who may SSH to the box, no default on purpose.");
        }
        String zone = timezone(flags.get("timezone"), overrides.get("ShutdownTimezone"));
        String regionName = flags.containsKey("region") ? flags.get("region")
                : config.text("region") != null ? config.text("region") : defaultRegion();
        Region region = Region.of(regionName);
        String type = flags.getOrDefault("instance-type", overrides.getOrDefault("InstanceType", DEFAULT_TYPE));
        Clients aws = clients.apply(region);
        Prompt prompt = new Prompt(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)), out,
                flags.containsKey("yes"));

        new ZoneOfferings(aws.ec2()).check(regionName, type, out);
        // --spot (or UseSpot already saved): the box runs on Spot, whose vCPU quota is its own (docs/setup.md "Spot").
        boolean spot = flags.containsKey("spot") || "true".equals(overrides.get("UseSpot"));
        new VcpuQuota(aws.ec2(), aws.quotas()).check(regionName, type, spot, prompt, out);
        String imageId = flags.containsKey("image-id") ? flags.get("image-id")
                : new DeepLearningAmi(aws.ssm()).resolve(overrides.get("ImageId"), flags.containsKey("update-ami"), out);
        Path publicKey = flags.containsKey("public-key") ? Path.of(flags.get("public-key"))
                : home().resolve(".ssh/id_ed25519.pub");
        String keyName = new KeyPair(aws.ec2()).resolve(flags.get("key-name"), overrides.get("KeyName"), publicKey, out);
        out.println("time zone: ShutdownTimezone " + zone + "; SSH from: SshCidr " + sshCidr);

        overrides.put("InstanceType", type);
        overrides.put("ImageId", imageId);
        overrides.put("KeyName", keyName);
        overrides.put("ShutdownTimezone", zone);
        overrides.put("SshCidr", sshCidr);
        if (spot) {
            overrides.put("UseSpot", "true");
            out.println("Spot: UseSpot true; it takes effect for a NEW stack only (./gpubox deploy refuses to switch an"
                    + " existing one, docs/setup.md \"Moving to or from Spot\")");
        }
        var deploy = config.deploy();
        deploy.put("stack_name", flags.getOrDefault("stack",
                config.text("stack_name") != null ? config.text("stack_name") : DEFAULT_STACK));
        deploy.put("region", regionName);
        if (!deploy.has("capabilities")) {
            deploy.put("capabilities", "CAPABILITY_IAM");
        }
        if (!deploy.has("resolve_s3")) {
            deploy.put("resolve_s3", true);
        }
        config.setOverrides(overrides);
        out.println(config.save() ? "samconfig.toml: written (" + configFile + ")"
                : "samconfig.toml: already up to date; nothing changed");
        out.println("next: ./gpubox deploy");
    }

    private String defaultRegion() throws InitFailure {
        try {
            return DefaultAwsRegionProviderChain.builder().build().getRegion().id();
        } catch (SdkException e) {
            throw new InitFailure(2, "no region: give --region, or set AWS_REGION or aws configure's region.");
        }
    }

    private String timezone(String given, String saved) throws InitFailure {
        String zone = given != null ? given : saved != null ? saved : laptopZone.getId();
        try {
            ZoneId.of(zone);
        } catch (DateTimeException e) {
            throw new InitFailure(2, "'" + zone + "' is not a time zone name: give --timezone, e.g. Europe/Berlin.");
        }
        if (!LaptopZone.IANA.matcher(zone).matches()) {
            throw new InitFailure(2, "this laptop's time zone is '" + zone + "', not an IANA name: give --timezone,"
                    + " e.g. --timezone Europe/Berlin.");
        }
        if (given == null && saved == null) {
            out.println("time zone: proposing this laptop's, " + zone + ", for ShutdownTimezone (--timezone to change)");
        }
        return zone;
    }

    /** An IPv4 CIDR such as 203.0.113.7/32, as the template's SshCidr pattern and EC2 accept it. */
    static String cidr(String value) throws InitFailure {
        var m = CIDR.matcher(value.trim());
        boolean ok = m.matches() && Integer.parseInt(m.group(5)) <= 32;
        for (int i = 1; ok && i <= 4; i++) {
            ok = Integer.parseInt(m.group(i)) <= 255;
        }
        if (!ok) {
            throw new InitFailure(2, "--ssh-cidr " + value + " is not an IPv4 CIDR such as 203.0.113.7/32");
        }
        return value.trim();
    }

    private Path home() {
        String home = env.get("HOME");
        return Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home"));
    }

    private static Map<String, String> flags(List<String> args) throws InitFailure {
        Map<String, String> flags = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String name = arg.startsWith("--") ? arg.substring(2) : "";
            if (BOOLEAN_FLAGS.contains(name)) {
                flags.put(name, "true");
            } else if (VALUE_FLAGS.contains(name) && i + 1 < args.size()) {
                flags.put(name, args.get(++i));
            } else {
                throw new InitFailure(2, "unknown or incomplete argument " + arg + "; usage: " + USAGE_LINE);
            }
        }
        return flags;
    }
}
