namespace PolyAi.Messaging.DevSidecar.Tests;

public sealed class CommandLineTests
{
    [Fact]
    public void Reads_components_apps_and_api_token()
    {
        var options = CommandLine.Parse([
            "--components", "components/local",
            "--app", "verifier=http:3501,grpc:50002,app:http://127.0.0.1:5001",
            "--app", "edge=http:3502,grpc:50003",
            "--api-token", "t",
            "--app-api-token", "a",
        ]);

        Assert.Equal("components/local", options.ComponentsPath);
        Assert.Equal("t", options.ApiToken);
        Assert.Equal("a", options.AppApiToken);
        Assert.Equal(
            [new DevSidecarApp("verifier", 3501, 50002, new Uri("http://127.0.0.1:5001")), new DevSidecarApp("edge", 3502, 50003)],
            options.Apps);
    }

    [Theory]
    [InlineData("--app", "verifier=http:3501,grpc:50002")]
    [InlineData("--components", "c")]
    [InlineData("--components", "c", "--app", "verifier=http:3501")]
    [InlineData("--components", "c", "--app", "verifier=http:x,grpc:1")]
    [InlineData("--components", "c", "--app", "verifier=http:1,grpc:2", "--verbose", "yes")]
    public void Rejects_incomplete_or_unknown_arguments(params string[] args)
    {
        Assert.Throws<FormatException>(() => CommandLine.Parse(args));
    }
}
