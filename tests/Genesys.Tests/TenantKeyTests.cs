using PolyAi.Messaging.Contracts;

namespace PolyAi.Messaging.Genesys.Tests;

/// <summary>The one parser of <c>ACCOUNT/PROJECT/ENV</c> (DevStack's and the setup CLI's --tenant use it).</summary>
public sealed class TenantKeyTests
{
    [Theory]
    [InlineData("acme/support/prod", "acme", "support", "prod")]
    [InlineData("a-1/p_2/e.3", "a-1", "p_2", "e.3")]
    public void Parses_what_ToString_writes(string text, string account, string project, string env)
    {
        Assert.True(TenantKey.TryParse(text, out var tenant));
        Assert.Equal(new TenantKey(account, project, env), tenant);
        Assert.Equal(text, tenant.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("acme/support")]
    [InlineData("acme/support/prod/extra")]
    [InlineData("acme//prod")]
    [InlineData("acme/../prod")]
    [InlineData("acme/sup port/prod")]
    [InlineData("acme/support/prod/")]
    [InlineData("ácme/support/prod")]
    public void Refuses_anything_else(string? text)
    {
        Assert.False(TenantKey.TryParse(text, out var tenant));
        Assert.Equal(default, tenant);
    }
}
