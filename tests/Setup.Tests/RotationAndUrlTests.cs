using Amazon.Runtime;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Setup.Doctor;
using PolyAi.Messaging.Setup.Secrets;

namespace PolyAi.Messaging.Setup.Tests;

public sealed class RotationAndUrlTests(SimulatorFixture sim) : IClassFixture<SimulatorFixture>
{
    [Fact]
    public async Task Rotation_keeps_the_old_secret_as_previous_until_finish_and_Genesys_signs_with_the_new_one()
    {
        using var run = new SetupRun(sim);
        var agent = await ProvisionAndDoctorTests.StaffAgentAsync(sim);
        (await run.ProvisionAsync("--member", agent)).Exits(0);
        var before = (await run.Secrets.ReadAsync(run.Tenant, default))!;

        var rotated = (await run.RunAsync(["rotate-secret", "--tenant", run.Tenant.ToString(), "--secrets", $"local:{run.SecretsPath}", "--state", $"file:{run.StatePath}", "--json"])).Exits(0);
        Assert.Equal("rotated", rotated.JsonObject["outcome"]!.GetValue<string>());
        var during = (await run.Secrets.ReadAsync(run.Tenant, default))!;
        Assert.NotEqual(before.WebhookSecret, during.WebhookSecret);
        Assert.Equal(before.WebhookSecret, during.PreviousWebhookSecret);
        Assert.Equal(before.OAuthClientSecret, during.OAuthClientSecret);

        var doctor = (await run.DoctorAsync("--json")).Exits(0);
        Assert.Equal(CheckStatus.Pass, ProvisionAndDoctorTests.Checks(doctor).Single(c => c.Check == TenantDoctor.WebhookSecret).Status);

        var again = await run.RunAsync(["rotate-secret", "--tenant", run.Tenant.ToString(), "--secrets", $"local:{run.SecretsPath}", "--state", $"file:{run.StatePath}"]);
        again.Exits(1);
        Assert.Contains("--finish", again.Console, StringComparison.Ordinal);

        var finished = (await run.RunAsync(["rotate-secret", "--finish", "--tenant", run.Tenant.ToString(), "--secrets", $"local:{run.SecretsPath}", "--state", $"file:{run.StatePath}", "--json"])).Exits(0);
        Assert.Equal("finished", finished.JsonObject["outcome"]!.GetValue<string>());
        var after = (await run.Secrets.ReadAsync(run.Tenant, default))!;
        Assert.Null(after.PreviousWebhookSecret);
        Assert.Equal(during.WebhookSecret, after.WebhookSecret);

        var idle = (await run.RunAsync(["rotate-secret", "--finish", "--tenant", run.Tenant.ToString(), "--secrets", $"local:{run.SecretsPath}", "--state", $"file:{run.StatePath}", "--json"])).Exits(0);
        Assert.Equal("unchanged", idle.JsonObject["outcome"]!.GetValue<string>());
    }

    [Fact]
    public async Task Webhook_url_prints_the_tenant_url_and_the_region_hosts()
    {
        using var run = new SetupRun(sim);
        var json = (await run.RunAsync(["webhook-url", "--tenant", "ACCOUNT-acme/PROJECT-web/live", "--cluster", "us-1.example.com", "--region", "usw2.pure.cloud", "--json"])).Exits(0);
        Assert.Equal("https://messaging.us-1.example.com/webhooks/genesys/ACCOUNT-acme/PROJECT-web/live/events", json.JsonObject["webhookUrl"]!.GetValue<string>());
        Assert.Equal("https://api.usw2.pure.cloud/", json.JsonObject["apiBaseUrl"]!.GetValue<string>());
        Assert.Equal("https://login.usw2.pure.cloud/", json.JsonObject["loginBaseUrl"]!.GetValue<string>());

        var human = (await run.RunAsync(["webhook-url", "--tenant", "ACCOUNT-acme/PROJECT-web/live", "--cluster", "us-1.example.com"])).Exits(0);
        Assert.Contains("https://messaging.us-1.example.com/webhooks/genesys/ACCOUNT-acme/PROJECT-web/live/events", human.Console, StringComparison.Ordinal);

        (await run.RunAsync(["webhook-url", "--tenant", "not-a-tenant", "--cluster", "x"])).Exits(2);
    }

    [Fact]
    public async Task The_local_secrets_file_keeps_other_tenants_and_the_shape_DevStack_writes()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("secrets-").FullName, "secrets.json");
        var store = new LocalSecretsFile(path);
        var a = new TenantKey("A", "P", "live");
        var b = new TenantKey("B", "P", "live");
        await store.WriteAsync(a, new TenantSecrets("wa", null, "ca", "sa"), default);
        await store.WriteAsync(b, new TenantSecrets("wb", "pb", "cb", "sb"), default);
        Assert.Equal(new TenantSecrets("wa", null, "ca", "sa"), await store.ReadAsync(a, default));
        var text = await File.ReadAllTextAsync(path);
        Assert.Contains("\"tenants/B/P/live\"", text, StringComparison.Ordinal);
        Assert.Contains("\"previousWebhookSecret\": \"pb\"", text, StringComparison.Ordinal);
        Assert.Null(await store.ReadAsync(new TenantKey("C", "P", "live"), default));
    }

    /// <summary>AWS's published Signature Version 4 test vector (aws-sig-v4-test-suite "get-vanilla").</summary>
    [Fact]
    public void Sigv4_signing_matches_the_aws_get_vanilla_test_vector()
    {
        var credentials = new ImmutableCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null);
        var headers = AwsSecretsManagerStore.Sign(
            credentials, "us-east-1", "service", new DateTime(2015, 8, 30, 12, 36, 0, DateTimeKind.Utc), "GET",
            new Uri("https://example.amazonaws.com/"), new Dictionary<string, string>(), []);
        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
            headers["authorization"]);
        Assert.Equal("20150830T123600Z", headers["x-amz-date"]);
    }

    /// <summary>The IAM ListUsers example of AWS's SigV4 documentation (query string and a content-type header).</summary>
    [Fact]
    public void Sigv4_signing_matches_the_aws_documentation_iam_example()
    {
        var credentials = new ImmutableCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null);
        var headers = AwsSecretsManagerStore.Sign(
            credentials, "us-east-1", "iam", new DateTime(2015, 8, 30, 12, 36, 0, DateTimeKind.Utc), "GET",
            new Uri("https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08"),
            new Dictionary<string, string> { ["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8" }, []);
        Assert.EndsWith("Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7", headers["authorization"], StringComparison.Ordinal);
    }
}
