namespace PolyAi.Messaging.Deployment.Tests;

/// <summary>The dashboard and the alerts read only metrics that exist: checked against the running services' /metrics.</summary>
public sealed class MetricsTests(MetricsFixture stack) : IClassFixture<MetricsFixture>
{
    /// <summary>Series Prometheus makes itself for every scrape target.</summary>
    private static readonly HashSet<string> PrometheusSeries = ["up"];

    /// <summary>
    /// Exported by the Dapr sidecar (scraped by the chart's PodMonitor), not by our services; names from
    /// dapr-contract.md §4 (dapr/dapr pkg/diagnostics). The dev sidecar does not export them, so they are checked
    /// against that list instead of a scrape.
    /// </summary>
    private static readonly HashSet<string> DaprSidecarSeries =
    [
        "dapr_component_pubsub_ingress_count", "dapr_component_pubsub_egress_count", "dapr_component_state_count",
        "dapr_component_secret_count", "dapr_resiliency_count", "dapr_resiliency_cb_state",
    ];

    private static string Dashboard => File.ReadAllText(Path.Combine(Repo.Chart, "dashboards", "polyai-messaging.json"));

    /// <summary>The alert expressions as helm renders them (dev: every alert, the PodMonitor's included).</summary>
    private static async Task<IReadOnlyList<string>> RulesAsync() =>
        AlertRuleTests.Rules(await AlertRuleTests.RenderedRulesAsync("dev")).Select(r => r["expr"]!.GetValue<string>()).ToList();

    [Fact]
    public async Task Each_service_serves_metrics_only_on_its_metrics_listener_and_nothing_else_there()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var service in Repo.Services)
        {
            var metrics = stack.Stack.MetricsUrl(service);
            // The service's own URL (for the edge: the public one the Ingress routes) has no /metrics.
            using (var onService = await http.GetAsync(new Uri(stack.Stack.ServiceUrl(service), "metrics")))
            {
                Assert.Equal(System.Net.HttpStatusCode.NotFound, onService.StatusCode);
                Assert.DoesNotContain("polyai_messaging_", await onService.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            Assert.NotEqual(stack.Stack.ServiceUrl(service).Port, metrics.Port);
            Assert.Contains("# TYPE ", await http.GetStringAsync(metrics), StringComparison.Ordinal);
            // The metrics listener answers nothing but /metrics: no health, no API, no Dapr routes.
            foreach (var path in (string[])["healthz", "dapr/subscribe", "v1/chat/conversations/x/events", "metrics/extra"])
            {
                using var other = await http.GetAsync(new Uri(metrics, "/" + path));
                Assert.Equal(System.Net.HttpStatusCode.NotFound, other.StatusCode);
            }

            Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync(new Uri(stack.Stack.ServiceUrl(service), "healthz"))).StatusCode);
        }
    }

    [Fact]
    public void Every_metric_the_dashboard_reads_is_exported_at_start_up() =>
        AssertExported(PromQl.DashboardExpressions(Dashboard), "dashboard");

    [Fact]
    public async Task Every_metric_the_alert_rules_read_is_exported_at_start_up() =>
        AssertExported(await RulesAsync(), "alert rules");

    [Fact]
    public async Task The_alert_rules_cover_webhook_failures_publish_failures_and_dead_letters()
    {
        var rules = await RulesAsync();
        var names = rules.SelectMany(PromQl.MetricNames).ToHashSet();
        Assert.Contains("polyai_messaging_webhooks_total", names);
        Assert.Contains("polyai_messaging_webhook_publish_failures_total", names);
        Assert.Contains("polyai_messaging_notifications_consumed_total", names);
        Assert.True(rules.Count >= 8);
    }

    [Fact]
    public async Task The_alert_rules_cover_handoffs_failing_no_agents_genesys_429s_and_token_failures()
    {
        var rules = await RulesAsync();
        Assert.Contains(rules, r => r.Contains("polyai_messaging_handoffs_total", StringComparison.Ordinal) && r.Contains("outcome=\"failed\"", StringComparison.Ordinal));
        Assert.Contains(rules, r => r.Contains("polyai_messaging_handoffs_total", StringComparison.Ordinal) && r.Contains("outcome=\"unavailable\"", StringComparison.Ordinal));
        Assert.Contains(rules, r => r.Contains("polyai_messaging_genesys_requests_total", StringComparison.Ordinal) && r.Contains("status=\"429\"", StringComparison.Ordinal));
        // The token endpoint as the Genesys client labels it, not a guess.
        Assert.Contains(rules, r => r.Contains($"endpoint=\"{Genesys.GenesysEndpoints.Token.Name}\"", StringComparison.Ordinal) && r.Contains("status=~\"400|401\"", StringComparison.Ordinal));
    }

    [Fact]
    public void The_dashboard_shows_handoffs_time_to_agent_sessions_streams_genesys_calls_and_chat_rejections()
    {
        var names = PromQl.DashboardExpressions(Dashboard).SelectMany(PromQl.MetricNames).ToHashSet();
        foreach (var name in (string[])[
            "polyai_messaging_handoffs_total", "polyai_messaging_handoff_time_to_agent_seconds_bucket",
            "polyai_messaging_handoff_active_sessions", "polyai_messaging_sse_streams_open",
            "polyai_messaging_genesys_requests_total", "polyai_messaging_chat_requests_rejected_total"])
        {
            Assert.Contains(name, names);
        }
    }

    [Fact]
    public void A_metric_name_means_one_thing_in_every_service_that_exports_it()
    {
        // Two services defining one name with other help, labels or buckets make a dashboard's sum meaningless.
        var families = stack.Described.SelectMany(s => s.Value.Select(f => (Service: s.Key, Family: f.Key, Description: f.Value)))
            .Where(f => f.Family.StartsWith("polyai_messaging_", StringComparison.Ordinal))
            .GroupBy(f => f.Family)
            .ToList();
        Assert.Contains(families, f => f.Count() > 1); // shared definitions exist (the notification metrics) …
        foreach (var family in families)
        {
            // … and are the same definition wherever they are exported.
            Assert.True(family.Select(f => f.Description).Distinct().Count() == 1,
                $"{family.Key} is described differently by {string.Join(", ", family.Select(f => f.Service))}:\n" +
                string.Join("\n", family.Select(f => $"{f.Service}: {f.Description}")));
        }
    }

    [Fact]
    public void Each_service_exports_its_own_metrics_from_the_start()
    {
        Assert.Contains("polyai_messaging_webhooks_total", stack.Exported["verifier"]);
        Assert.Contains("polyai_messaging_webhook_publish_failures_total", stack.Exported["verifier"]);
        Assert.Contains("polyai_messaging_webhook_duration_seconds_bucket", stack.Exported["verifier"]);
        Assert.Contains("polyai_messaging_edge_rejections_total", stack.Exported["edge"]);
        Assert.Contains("polyai_messaging_notifications_consumed_total", stack.Exported["agent"]);
        Assert.Contains("polyai_messaging_transcript_messages_total", stack.Exported["agent"]);
        Assert.Contains("polyai_messaging_notifications_consumed_total", stack.Exported["handoff"]);
        Assert.Contains("polyai_messaging_receipts_total", stack.Exported["handoff"]);
        Assert.Contains("polyai_messaging_chat_requests_rejected_total", stack.Exported["agent"]);
        Assert.Contains("polyai_messaging_handoffs_total", stack.Exported["agent"]);
        Assert.Contains("polyai_messaging_sse_streams_open", stack.Exported["agent"]);
        Assert.Contains("polyai_messaging_handoff_starts_total", stack.Exported["handoff"]);
        Assert.Contains("polyai_messaging_handoff_active_sessions", stack.Exported["handoff"]);
        Assert.Contains("polyai_messaging_genesys_requests_total", stack.Exported["handoff"]);
    }

    [Fact]
    public void The_expression_reader_finds_metric_names_and_nothing_else()
    {
        var names = PromQl.MetricNames(
            "histogram_quantile(0.99, sum by (le, job) (rate(foo_seconds_bucket{namespace=\"{{ $ns }}\",job=~\"a|b\"}[$__rate_interval]))) / on(job) group_left bar_total > {{ $a.x }}");
        Assert.Equal(["bar_total", "foo_seconds_bucket"], names.Order());
    }

    private void AssertExported(IReadOnlyList<string> expressions, string what)
    {
        Assert.NotEmpty(expressions);
        var exported = stack.Exported.Values.SelectMany(s => s).ToHashSet();
        var missing = expressions.SelectMany(PromQl.MetricNames)
            .Where(name => !exported.Contains(name) && !PrometheusSeries.Contains(name) && !DaprSidecarSeries.Contains(name))
            .Distinct()
            .Order()
            .ToList();
        Assert.True(missing.Count == 0,
            $"The {what} read metrics no running service exports: {string.Join(", ", missing)}{Environment.NewLine}{stack.RecentLog}");
    }
}
