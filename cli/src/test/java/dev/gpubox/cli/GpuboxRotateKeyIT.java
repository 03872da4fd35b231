package dev.gpubox.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./gpubox rotate-key} as a user runs it — the repository's script, the built jar, a temporary HOME —
 * with a stand-in for the AWS CLI on PATH that records every call and answers in the CLI's shapes for a
 * stack whose usage plan {@code up1234} holds SAM's key {@code k1l2m3}.
 */
class GpuboxRotateKeyIT {
    static final Path SCRIPT = Path.of("..", "gpubox").toAbsolutePath().normalize();
    static final String URL = "https://a1b2c3d4e5.execute-api.us-west-2.amazonaws.com/v1";
    static final String OLD = "OLDKEYoldkey0123456789abcdefghijklmnopq";
    static final String NEW = "NEWKEYnewkey0123456789abcdefghijklmnopq";

    @TempDir
    Path home;
    Path calls;

    record Run(int exit, String out, String err, List<String> calls) {
    }

    @BeforeEach
    void aLoggedInLaptopAndAStandInAws() throws IOException {
        calls = home.resolve("calls.log");
        Path bin = Files.createDirectories(home.resolve("bin"));
        Path aws = bin.resolve("aws");
        Files.writeString(aws, """
                #!/bin/sh
                echo "aws $*" >> "$GPUBOX_TEST_CALLS"
                case " $* " in *" --region us-west-2 "*|" cloudformation describe-stacks "*) ;; *) echo "stand-in aws: no --region us-west-2" >&2; exit 252 ;; esac
                case "$*" in
                  "cloudformation describe-stacks --stack-name gpubox --query Stacks[0].Outputs --output json")
                    echo '[{"OutputKey":"ApiUrl","OutputValue":"%URL%"},{"OutputKey":"ApiKeyValueCommand","OutputValue":"aws apigateway get-api-key --api-key k1l2m3 --include-value --query value --output text --region us-west-2"}]' ;;
                  "cloudformation describe-stack-resource --stack-name gpubox --logical-resource-id GpuApiUsagePlan"*)
                    echo up1234 ;;
                  "apigateway get-usage-plan-keys --usage-plan-id up1234"*)
                    if [ -f "$GPUBOX_TEST_CALLS.rotated" ]; then
                      echo '{"items":[{"id":"k1l2m3","type":"API_KEY","name":"gpubox-GpuApiApiKey"},{"id":"n9m8l7","type":"API_KEY","name":"gpubox-20261202-203000"}]}'
                    else
                      echo '{"items":[{"id":"k1l2m3","type":"API_KEY","name":"gpubox-GpuApiApiKey"}]}'
                    fi ;;
                  "apigateway create-api-key --name gpubox-"*" --enabled --output json"*)
                    echo '{"id":"n9m8l7","value":"%NEW%","name":"gpubox-x","enabled":true}' ;;
                  "apigateway create-usage-plan-key --usage-plan-id up1234 --key-id n9m8l7 --key-type API_KEY"*)
                    if [ -n "$FAIL_PLAN" ]; then echo "An error occurred (LimitExceededException)" >&2; exit 254; fi
                    touch "$GPUBOX_TEST_CALLS.rotated"; echo '{"id":"n9m8l7","type":"API_KEY"}' ;;
                  "apigateway update-api-key --api-key k1l2m3 --patch-operations op=replace,path=/enabled,value=false"*)
                    if [ -n "$FAIL_DISABLE" ]; then echo "An error occurred (TooManyRequestsException)" >&2; exit 254; fi
                    echo '{"id":"k1l2m3","enabled":false}' ;;
                  "apigateway delete-api-key --api-key n9m8l7"*) ;;
                  "apigateway get-api-key --api-key k1l2m3 --include-value --query [value,enabled] --output text"*)
                    printf '%OLD%\\tFalse\\n' ;;
                  "apigateway get-api-key --api-key n9m8l7 --include-value --query [value,enabled] --output text"*)
                    printf '%NEW%\\tTrue\\n' ;;
                  *) echo "stand-in aws: unexpected aws $*" >&2; exit 255 ;;
                esac
                """.replace("%URL%", URL).replace("%NEW%", NEW).replace("%OLD%", OLD));
        Files.setPosixFilePermissions(aws, PosixFilePermissions.fromString("rwxr-xr-x"));
        new CliConfig(Map.of(CliConfig.URL, URL, CliConfig.KEY, OLD, CliConfig.HOST, "lab-gpu"))
                .save(CliConfig.file(Map.of("HOME", home.toString())));
    }

    Run gpubox(Map<String, String> extra, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(SCRIPT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("HOME", home.toString());
        builder.environment().remove("XDG_CONFIG_HOME");
        builder.environment().put("PATH", home.resolve("bin") + ":" + System.getenv("PATH"));
        builder.environment().put("GPUBOX_TEST_CALLS", calls.toString());
        builder.environment().putAll(extra);
        Path out = Files.createTempFile(home, "out", ".txt");
        Path err = Files.createTempFile(home, "err", ".txt");
        Process p = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "./gpubox " + String.join(" ", args) + " timed out");
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8),
                Files.exists(calls) ? Files.readAllLines(calls) : List.of());
    }

    CliConfig saved() throws IOException {
        return CliConfig.load(CliConfig.file(Map.of("HOME", home.toString())));
    }

    static int indexOf(List<String> calls, String part) {
        for (int i = 0; i < calls.size(); i++) {
            if (calls.get(i).contains(part)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void aNewKeyGoesOnThePlanIntoTheLoginAndOnlyThenIsTheOldOneDisabled() throws Exception {
        Run r = gpubox(Map.of(), "rotate-key");
        assertEquals(0, r.exit(), r.err() + r.out());
        int create = indexOf(r.calls(), "apigateway create-api-key --name gpubox-");
        int onPlan = indexOf(r.calls(), "apigateway create-usage-plan-key --usage-plan-id up1234 --key-id n9m8l7");
        int disable = indexOf(r.calls(), "apigateway update-api-key --api-key k1l2m3 --patch-operations"
                + " op=replace,path=/enabled,value=false");
        assertTrue(create >= 0 && create < onPlan && onPlan < disable, r.calls().toString());
        assertEquals(-1, indexOf(r.calls(), "delete-api-key"), r.calls().toString());
        assertEquals(NEW, saved().get(CliConfig.KEY), "the laptop's login has the new key");
        assertEquals("lab-gpu", saved().get(CliConfig.HOST), "the other login settings are kept");
        assertTrue(r.out().contains("\n  " + NEW + "\n"), "the key to type on the phone: " + r.out());
        assertTrue(r.out().contains("the panel (PanelUrl): it asks for the key again") && r.out().contains("x-api-key header"),
                r.out());
        assertTrue(r.out().contains("Disabled the old key k1l2m3"), r.out());
    }

    @Test
    void aKeyThePlanRefusesIsDeletedAgainAndNothingChanges() throws Exception {
        Run r = gpubox(Map.of("FAIL_PLAN", "1"), "rotate-key");
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains("it is deleted again and nothing changed"), r.err());
        assertTrue(indexOf(r.calls(), "apigateway delete-api-key --api-key n9m8l7") >= 0, r.calls().toString());
        assertEquals(-1, indexOf(r.calls(), "update-api-key"), "the old key keeps working: " + r.calls());
        assertEquals(OLD, saved().get(CliConfig.KEY));
    }

    @Test
    void anOldKeyThatCouldNotBeDisabledIsNamedWithTheCommandToDoIt() throws Exception {
        Run r = gpubox(Map.of("FAIL_DISABLE", "1"), "rotate-key");
        assertEquals(1, r.exit(), r.err());
        assertEquals(NEW, saved().get(CliConfig.KEY), "the new key is saved before the old one is touched");
        assertTrue(r.err().contains("k1l2m3 could not be disabled and still opens the API. Disable it: aws apigateway"
                + " update-api-key --api-key k1l2m3 --patch-operations op=replace,path=/enabled,value=false --region"
                + " us-west-2"), r.err());
    }

    @Test
    void afterARotationLoginOnAnotherLaptopFindsTheEnabledKeyNotTheStacksDisabledOne() throws Exception {
        assertEquals(0, gpubox(Map.of(), "rotate-key").exit());
        new CliConfig(Map.of()).save(CliConfig.file(Map.of("HOME", home.toString()))); // a fresh laptop
        // login reads /status after saving; nothing answers at the stack's URL here, so only the saved key counts.
        gpubox(Map.of(), "login");
        assertEquals(NEW, saved().get(CliConfig.KEY));
        assertEquals(URL, saved().get(CliConfig.URL));
    }

    @Test
    void everyAwsCallAfterTheStackLookupGoesToTheApisRegion() throws Exception {
        Run r = gpubox(Map.of(), "rotate-key");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.calls().get(0).startsWith("aws cloudformation describe-stacks"), r.calls().toString());
        assertFalse(r.calls().get(0).contains("--region"), "the user's own region finds the stack");
        assertTrue(r.calls().stream().skip(1).allMatch(c -> c.endsWith("--region us-west-2")), r.calls().toString());
    }
}
