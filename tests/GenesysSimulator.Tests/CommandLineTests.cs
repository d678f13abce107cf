namespace PolyAi.Messaging.GenesysSimulator.Tests;

public sealed class CommandLineTests
{
    [Fact]
    public void Urls_and_seed_org_set_the_port_and_seeding()
    {
        Assert.True(CommandLine.TryParse(["--urls", "http://127.0.0.1:9090", "--seed-org"], out var options, out _));

        Assert.Equal(9090, options.Port);
        Assert.True(options.SeedOrg);
    }

    [Theory]
    [InlineData("http://0.0.0.0:9090")]
    [InlineData("https://127.0.0.1:9090")]
    public void Urls_that_are_not_plain_http_loopback_are_refused(string url)
    {
        Assert.False(CommandLine.TryParse(["--urls", url], out _, out var problem));

        Assert.Contains("127.0.0.1", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_arguments_are_refused()
    {
        Assert.False(CommandLine.TryParse(["--nope"], out _, out var problem));

        Assert.Contains("--nope", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Time_scale_with_an_epoch_gives_compressed_time()
    {
        var epoch = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds();

        Assert.True(CommandLine.TryParse(["--time-scale", "10", "--time-epoch", epoch.ToString(System.Globalization.CultureInfo.InvariantCulture)], out var options, out _));

        var time = Assert.IsType<CompressedTime>(options.TimeProvider);
        Assert.Equal(10, time.Scale);
        Assert.InRange(time.GetUtcNow() - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(8.5), TimeSpan.FromMinutes(9.5));
    }

    [Fact]
    public void Rate_limit_sets_the_budget_per_client_and_defaults_to_genesys_300()
    {
        Assert.True(CommandLine.TryParse(["--rate-limit", "100000"], out var lifted, out _));
        Assert.True(CommandLine.TryParse([], out var standard, out _));

        Assert.Equal(100_000, lifted.RateLimitPerMinute);
        Assert.Equal(300, standard.RateLimitPerMinute);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("many")]
    public void A_rate_limit_that_is_not_a_positive_whole_number_is_refused(string value)
    {
        Assert.False(CommandLine.TryParse(["--rate-limit", value], out _, out var problem));

        Assert.Contains("--rate-limit", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Time_scale_without_an_epoch_is_refused()
    {
        Assert.False(CommandLine.TryParse(["--time-scale", "10"], out _, out var problem));

        Assert.Contains("--time-epoch", problem, StringComparison.Ordinal);
    }
}
