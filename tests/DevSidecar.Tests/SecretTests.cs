using Dapr;
using Grpc.Core;
using PolyAi.Messaging.DevSidecar.Tests.Support;

namespace PolyAi.Messaging.DevSidecar.Tests;

public sealed class SecretTests : SidecarTestBase
{
    [Fact]
    public async Task Secret_is_read_from_the_local_file_with_nested_keys_flattened()
    {
        var password = await Verifier.GetSecretAsync(ComponentsDirectory.SecretStore, "db-password");
        var clientId = await Verifier.GetSecretAsync(ComponentsDirectory.SecretStore, "genesys:client-id");

        Assert.Equal(new Dictionary<string, string> { ["db-password"] = "hunter2" }, password);
        Assert.Equal(new Dictionary<string, string> { ["genesys:client-id"] = "abc" }, clientId);
    }

    [Fact]
    public async Task Bulk_secrets_return_every_secret_of_the_file()
    {
        var secrets = await Verifier.GetBulkSecretAsync(ComponentsDirectory.SecretStore);

        Assert.Equal(["db-password", "genesys:client-id", "genesys:client-secret"], secrets.Keys.Order());
        Assert.Equal("xyz", secrets["genesys:client-secret"]["genesys:client-secret"]);
    }

    [Fact]
    public async Task Missing_secret_fails_as_Internal()
    {
        var error = await Assert.ThrowsAsync<DaprException>(() => Verifier.GetSecretAsync(ComponentsDirectory.SecretStore, "nope"));

        Assert.Equal(StatusCode.Internal, StateTests.StatusOf(error));
    }

    [Fact]
    public async Task Multi_valued_secret_returns_its_values_and_sees_the_file_change()
    {
        var before = await Verifier.GetSecretAsync(ComponentsDirectory.MultiValuedSecretStore, "acme");

        Components.Write("tenants.json", """{ "acme": { "webhook-secret": "rotated", "region": "eu" }, "globex": { "webhook-secret": "g1" } }""");
        File.SetLastWriteTimeUtc(Components.MultiValuedSecretsFile, DateTime.UtcNow.AddMinutes(1));
        var after = await Verifier.GetSecretAsync(ComponentsDirectory.MultiValuedSecretStore, "acme");
        var added = await Verifier.GetSecretAsync(ComponentsDirectory.MultiValuedSecretStore, "globex");

        Assert.Equal(new Dictionary<string, string> { ["webhook-secret"] = "s1", ["region"] = "eu" }, before);
        Assert.Equal("rotated", after["webhook-secret"]);
        Assert.Equal("g1", added["webhook-secret"]);
    }
}
