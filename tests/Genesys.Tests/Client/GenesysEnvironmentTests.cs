namespace PolyAi.Messaging.Genesys.Tests.Client;

public sealed class GenesysEnvironmentTests
{
    public static TheoryData<string, string> AllRegions => new()
    {
        { "us_east_1", "mypurecloud.com" },
        { "us_east_2", "use2.us-gov-pure.cloud" },
        { "us_west_2", "usw2.pure.cloud" },
        { "ca_central_1", "cac1.pure.cloud" },
        { "sa_east_1", "sae1.pure.cloud" },
        { "mx_central_1", "mxc1.pure.cloud" },
        { "eu_west_1", "mypurecloud.ie" },
        { "eu_west_2", "euw2.pure.cloud" },
        { "eu_central_1", "mypurecloud.de" },
        { "eu_central_2", "euc2.pure.cloud" },
        { "eusc_de_east_1", "edee1.eusc-pure.cloud" },
        { "me_central_1", "mec1.pure.cloud" },
        { "ap_south_1", "aps1.pure.cloud" },
        { "ap_northeast_1", "mypurecloud.jp" },
        { "ap_northeast_2", "apne2.pure.cloud" },
        { "ap_northeast_3", "apne3.pure.cloud" },
        { "ap_southeast_1", "apse1.pure.cloud" },
        { "ap_southeast_2", "mypurecloud.com.au" },
    };

    [Theory]
    [MemberData(nameof(AllRegions))]
    public void Every_region_has_an_api_host_and_a_login_host_on_its_domain(string region, string domain)
    {
        foreach (var environment in new[] { GenesysEnvironment.ForRegion(region), GenesysEnvironment.ForRegion(domain), GenesysEnvironment.Parse(domain) })
        {
            Assert.Equal(new Uri($"https://api.{domain}/"), environment.ApiBaseUri);
            Assert.Equal(new Uri($"https://login.{domain}/oauth/token"), environment.TokenUri);
            Assert.Equal(domain, environment.Domain);
        }
    }

    [Fact]
    public void Knows_exactly_the_eighteen_regions_of_the_sdk()
    {
        Assert.Equal(18, GenesysEnvironment.Regions.Count);
        Assert.Equal(18, GenesysEnvironment.Regions.Values.Distinct().Count());
    }

    [Theory]
    [InlineData("http://127.0.0.1:5123", "http://127.0.0.1:5123/", "http://127.0.0.1:5123/oauth/token")]
    [InlineData("http://127.0.0.1:5123/", "http://127.0.0.1:5123/", "http://127.0.0.1:5123/oauth/token")]
    [InlineData("http://localhost:9090/sim", "http://localhost:9090/sim/", "http://localhost:9090/sim/oauth/token")]
    public void An_explicit_base_url_serves_api_and_token_alike(string baseUrl, string api, string token)
    {
        var environment = GenesysEnvironment.Parse(baseUrl);

        Assert.Equal(new Uri(api), environment.ApiBaseUri);
        Assert.Equal(environment.ApiBaseUri, environment.LoginBaseUri);
        Assert.Equal(new Uri(token), environment.TokenUri);
        Assert.Null(environment.Domain);
    }

    [Theory]
    [InlineData("https://api.mypurecloud.ie")]
    [InlineData("https://login.mypurecloud.ie/")]
    public void A_url_of_a_real_genesys_host_gets_its_login_host(string url)
    {
        var environment = GenesysEnvironment.Parse(url);

        Assert.Equal("mypurecloud.ie", environment.Domain);
        Assert.Equal(new Uri("https://login.mypurecloud.ie/oauth/token"), environment.TokenUri);
    }

    [Theory]
    [InlineData("")]
    [InlineData("usw2.pure.clod")]
    [InlineData("evil.example.com")]
    [InlineData("us-west-2")]
    [InlineData("ftp://127.0.0.1/")]
    public void Refuses_what_is_not_a_region_or_an_http_url(string value)
    {
        Assert.False(GenesysEnvironment.TryParse(value, out _));
        Assert.Throws<FormatException>(() => GenesysEnvironment.Parse(value));
    }

    [Fact]
    public void Region_names_and_domains_ignore_case()
    {
        Assert.Equal("usw2.pure.cloud", GenesysEnvironment.Parse("US_WEST_2").Domain);
        Assert.Equal("usw2.pure.cloud", GenesysEnvironment.Parse("USW2.Pure.Cloud").Domain);
    }
}
