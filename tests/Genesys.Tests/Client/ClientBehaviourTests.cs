using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using PolyAi.Messaging.Contracts;
using PolyAi.Messaging.Genesys.OpenMessaging;
using Prometheus;

namespace PolyAi.Messaging.Genesys.Tests.Client;

/// <summary>The client's HTTP behaviour against a stub network: auth, retries, timeouts, errors, wire format.</summary>
public sealed class ClientBehaviourTests : IDisposable
{
    private const string QueueJson = """{"id":"q-1","name":"AI Handoff"}""";
    private readonly StubGenesys _stub = new();

    public void Dispose() => _stub.Dispose();

    [Fact]
    public async Task Asks_for_a_token_with_basic_auth_and_the_client_credentials_form_then_calls_with_the_bearer()
    {
        _stub.Respond = (_, _) => Task.FromResult(StubGenesys.Json(HttpStatusCode.OK, QueueJson));
        using var client = StubGenesys.Client(_stub);

        await client.Routing.GetQueueAsync("q-1");

        var token = Assert.Single(_stub.Requests, r => r.Path == "/oauth/token");
        Assert.Equal(HttpMethod.Post, token.Method);
        Assert.Equal("Basic " + Convert.ToBase64String("client-7f3a:s3cr3t-VALUE-never-logged"u8.ToArray()), token.Headers["Authorization"]);
        Assert.Equal("grant_type=client_credentials", token.Body);
        Assert.StartsWith("application/x-www-form-urlencoded", token.Headers["Content-Type"], StringComparison.Ordinal);
        var call = Assert.Single(_stub.ApiRequests);
        Assert.Equal("Bearer token-1-SECRETISH", call.Headers["Authorization"]);
        Assert.Equal("/api/v2/routing/queues/q-1", call.Path);
    }

    [Fact]
    public async Task Reuses_one_token_across_calls()
    {
        _stub.Respond = (_, _) => Task.FromResult(StubGenesys.Json(HttpStatusCode.OK, QueueJson));
        using var client = StubGenesys.Client(_stub);

        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => client.Routing.GetQueueAsync("q-1")));

        Assert.Equal(1, _stub.TokensIssued);
    }

    [Fact]
    public async Task A_401_fetches_a_new_token_and_retries_the_call_once()
    {
        _stub.Respond = (r, _) => Task.FromResult(r.Headers["Authorization"] == "Bearer token-1-SECRETISH"
            ? StubGenesys.Json(HttpStatusCode.Unauthorized, """{"message":"expired","code":"credentials.expired","status":401}""")
            : StubGenesys.Json(HttpStatusCode.OK, QueueJson));
        using var client = StubGenesys.Client(_stub);

        var queue = await client.Routing.GetQueueAsync("q-1");

        Assert.Equal("q-1", queue.Id);
        Assert.Equal(2, _stub.TokensIssued);
        Assert.Equal(["Bearer token-1-SECRETISH", "Bearer token-2-SECRETISH"], _stub.ApiRequests.Select(r => r.Headers["Authorization"]));
    }

    [Fact]
    public async Task A_second_401_surfaces_instead_of_looping()
    {
        _stub.Respond = (_, _) => Task.FromResult(StubGenesys.Json(HttpStatusCode.Unauthorized, """{"message":"no","code":"bad.credentials","status":401}"""));
        using var client = StubGenesys.Client(_stub);

        var error = await Assert.ThrowsAsync<GenesysApiException>(() => client.Routing.GetQueueAsync("q-1"));

        Assert.Equal(HttpStatusCode.Unauthorized, error.Status);
        Assert.Equal("bad.credentials", error.Code);
        Assert.Equal(2, _stub.ApiRequests.Count);
    }

    [Fact]
    public async Task Bad_client_credentials_surface_with_the_oauth_error()
    {
        using var login = new RejectingLogin();
        using var client = new GenesysClient(GenesysEnvironment.ForBaseUrl(StubGenesys.BaseUrl), new GenesysCredentials("c", "wrong"), StubGenesys.FastOptions(), login);

        var error = await Assert.ThrowsAsync<GenesysApiException>(() => client.OAuth.GetTokenInfoAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, error.Status);
        Assert.Equal("invalid_client", error.Code);
        Assert.Equal("client not found", error.GenesysMessage);
        Assert.Equal("POST /oauth/token", error.Endpoint);
    }

    [Fact]
    public async Task A_429_waits_for_retry_after_and_tries_again()
    {
        _stub.Respond = (_, attempt) => Task.FromResult(attempt == 1
            ? StubGenesys.Json(HttpStatusCode.TooManyRequests, """{"message":"slow down","code":"too.many.requests","status":429}""", ("Retry-After", "1"))
            : StubGenesys.Json(HttpStatusCode.OK, QueueJson));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var client = StubGenesys.Client(_stub, time: time);

        var call = client.Routing.CreateQueueAsync(new CreateQueueRequest { Name = "AI Handoff" });
        var waited = await FakeClock.AdvanceUntilDoneAsync(time, call, TimeSpan.FromMilliseconds(50));

        await call;
        Assert.InRange(waited, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)); // at least the Retry-After, and not the 5 s cap
        Assert.Equal(2, _stub.ApiRequests.Count); // even a create: a 429 means Genesys did nothing
    }

    [Fact]
    public async Task A_retry_after_longer_than_allowed_surfaces_at_once()
    {
        _stub.Respond = (_, _) => Task.FromResult(StubGenesys.Json(
            HttpStatusCode.TooManyRequests, """{"message":"slow down","code":"too.many.requests","status":429}""", ("Retry-After", "600"), ("ININ-Correlation-Id", "corr-429")));
        using var client = StubGenesys.Client(_stub);

        var error = await Assert.ThrowsAsync<GenesysApiException>(() => client.Routing.GetQueueAsync("q-1"));

        Assert.Equal(HttpStatusCode.TooManyRequests, error.Status);
        Assert.Equal(TimeSpan.FromSeconds(600), error.RetryAfter);
        Assert.Equal("corr-429", error.CorrelationId);
        Assert.Single(_stub.ApiRequests);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    public async Task Reads_are_retried_after_a_gateway_error(HttpStatusCode status)
    {
        _stub.Respond = (_, attempt) => Task.FromResult(attempt < 3 ? StubGenesys.Json(status, "<html>bad gateway</html>") : StubGenesys.Json(HttpStatusCode.OK, QueueJson));
        using var client = StubGenesys.Client(_stub);

        var queue = await client.Routing.GetQueueAsync("q-1");

        Assert.Equal("q-1", queue.Id);
        Assert.Equal(3, _stub.ApiRequests.Count);
    }

    [Fact]
    public async Task A_create_is_not_repeated_after_an_unclear_gateway_error()
    {
        _stub.Respond = (_, _) => Task.FromResult(StubGenesys.Json(HttpStatusCode.BadGateway, "<html>bad gateway</html>"));
        using var client = StubGenesys.Client(_stub);

        var error = await Assert.ThrowsAsync<GenesysApiException>(() => client.Routing.CreateQueueAsync(new CreateQueueRequest { Name = "AI Handoff" }));

        Assert.Equal(HttpStatusCode.BadGateway, error.Status);
        Assert.Contains("<html>bad gateway</html>", error.Message, StringComparison.Ordinal);
        Assert.Single(_stub.ApiRequests);
    }

    [Fact]
    public async Task An_inbound_message_is_not_resent_after_a_gateway_error_because_genesys_may_have_it()
    {
        // Genesys does not document dropping a resent (messageId, time) (Corrections 6): the caller reconciles first.
        _stub.Respond = (_, attempt) => Task.FromResult(attempt == 1
            ? StubGenesys.Json(HttpStatusCode.ServiceUnavailable, """{"message":"busy","code":"service.unavailable","status":503}""")
            : StubGenesys.Json(HttpStatusCode.OK, """{"id":"g-1","conversationId":"conv-1","type":"Text"}"""));
        using var client = StubGenesys.Client(_stub);

        var error = await Assert.ThrowsAsync<GenesysApiException>(() => client.OpenMessaging.SendMessageAsync("int-1", Message("m-42", "I want a human"), prefetchConversationId: true));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.Status);
        Assert.Single(_stub.ApiRequests);
    }

    [Fact]
    public async Task An_inbound_message_refused_with_429_is_sent_again_unchanged()
    {
        _stub.Respond = (_, attempt) => Task.FromResult(attempt == 1
            ? StubGenesys.Json(HttpStatusCode.TooManyRequests, """{"message":"slow down","code":"too.many.requests","status":429}""")
            : StubGenesys.Json(HttpStatusCode.OK, """{"id":"g-1","conversationId":"conv-1","type":"Text"}"""));
        using var client = StubGenesys.Client(_stub);

        var answer = await client.OpenMessaging.SendMessageAsync("int-1", Message("m-42", "I want a human"), prefetchConversationId: true);

        Assert.Equal("conv-1", answer.ConversationId);
        var sent = _stub.ApiRequests;
        Assert.Equal(2, sent.Count);
        Assert.Equal(sent[0].Body, sent[1].Body);
        Assert.Equal("?prefetchConversationId=true", sent[1].Uri.Query);
    }

    [Fact]
    public async Task An_attempt_that_hangs_times_out_and_the_call_fails_with_a_timeout_naming_the_endpoint()
    {
        _stub.Respond = async (_, _) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30));
            return StubGenesys.Json(HttpStatusCode.OK, QueueJson);
        };
        var options = StubGenesys.FastOptions();
        options.AttemptTimeout = TimeSpan.FromMilliseconds(200);
        options.MaxRetries = 2;
        using var client = StubGenesys.Client(_stub, options);

        var error = await Assert.ThrowsAsync<TimeoutException>(() => client.Routing.GetQueueAsync("q-1"));

        Assert.Contains("GET /api/v2/routing/queues/{queueId}", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, _stub.ApiRequests.Count);
    }

    [Fact]
    public async Task The_whole_call_is_bounded_by_the_total_timeout()
    {
        _stub.Respond = async (_, _) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30));
            return StubGenesys.Json(HttpStatusCode.OK, QueueJson);
        };
        var options = StubGenesys.FastOptions();
        options.AttemptTimeout = TimeSpan.FromMilliseconds(300);
        options.TotalTimeout = TimeSpan.FromMilliseconds(500);
        options.MaxRetryAfter = TimeSpan.FromMilliseconds(100);
        options.MaxRetries = 10;
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var client = StubGenesys.Client(_stub, options, time);

        var call = client.Routing.GetQueueAsync("q-1");
        var waited = await FakeClock.AdvanceUntilDoneAsync(time, call, TimeSpan.FromMilliseconds(10));

        await Assert.ThrowsAsync<TimeoutException>(() => call);
        Assert.InRange(waited, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(1500)); // the total timeout, not the 10 retries of 300 ms
    }

    [Fact]
    public async Task Genesys_error_bodies_become_typed_exceptions()
    {
        _stub.Respond = (_, _) => Task.FromResult(StubGenesys.Json(
            HttpStatusCode.BadRequest,
            """{"message":"should have required property 'content'","code":"bad.request","status":400,"contextId":"ctx-9","details":[],"errors":[]}"""));
        using var client = StubGenesys.Client(_stub);

        var error = await Assert.ThrowsAsync<GenesysApiException>(() => client.OpenMessaging.SendMessageAsync("int-1", Message("m-1", "hi")));

        Assert.Equal(HttpStatusCode.BadRequest, error.Status);
        Assert.Equal("bad.request", error.Code);
        Assert.Equal("should have required property 'content'", error.GenesysMessage);
        Assert.Equal("ctx-9", error.CorrelationId);
        Assert.Equal("POST /api/v2/conversations/messages/{integrationId}/inbound/open/message", error.Endpoint);
        Assert.Single(_stub.ApiRequests);
    }

    [Fact]
    public async Task The_correlation_header_wins_over_the_context_id()
    {
        _stub.Respond = (_, _) => Task.FromResult(StubGenesys.Json(
            HttpStatusCode.NotFound, """{"message":"gone","code":"not.found","status":404,"contextId":"ctx"}""", ("ININ-Correlation-Id", "corr-1")));
        using var client = StubGenesys.Client(_stub);

        var error = await Assert.ThrowsAsync<GenesysApiException>(() => client.Routing.GetQueueAsync("q-1"));

        Assert.Equal("corr-1", error.CorrelationId);
        Assert.Contains("corr-1", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"id\":\"q-1\",", "malformed JSON")]
    [InlineData("", "empty body")]
    [InlineData("null", "JSON null")]
    [InlineData("[1,2]", "malformed JSON")]
    public async Task A_success_with_an_unreadable_body_is_a_clear_error(string body, string problem)
    {
        _stub.Respond = (_, _) => Task.FromResult(StubGenesys.Json(HttpStatusCode.OK, body));
        using var client = StubGenesys.Client(_stub);

        var error = await Assert.ThrowsAsync<GenesysResponseException>(() => client.Routing.GetQueueAsync("q-1"));

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.Contains("GET /api/v2/routing/queues/{queueId}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_fields_and_unknown_enum_values_are_read_without_complaint()
    {
        _stub.Respond = (_, _) => Task.FromResult(StubGenesys.Json(HttpStatusCode.OK, """
            {"id":"conv-1","brandNewField":{"x":[1,2]},"participants":[
              {"id":"p-1","purpose":"customer","state":"parked","direction":"inbound","futureThing":true},
              {"id":"p-2","purpose":"agent","state":"disconnected","user":{"id":"u-1"},"endTime":"2025-03-01T12:00:00.000Z","disconnectType":"peer.hologram"}]}
            """));
        using var client = StubGenesys.Client(_stub);

        var conversation = await client.Conversations.GetMessageConversationAsync("conv-1");

        Assert.Equal("parked", conversation.Participants[0].State);
        var agent = Assert.Single(conversation.Agents);
        Assert.True(agent.HasEnded);
        Assert.Equal("peer.hologram", agent.DisconnectType);
    }

    [Fact]
    public async Task Custom_attributes_are_sent_as_raw_json_with_genesys_time_and_no_nulls()
    {
        _stub.Respond = (_, _) => Task.FromResult(StubGenesys.Json(HttpStatusCode.OK, """{"id":"g-1"}"""));
        using var client = StubGenesys.Client(_stub);
        var message = Message("m-7", "hello") with
        {
            Channel = Message("m-7", "hello").Channel with
            {
                Metadata = new InboundChannelMetadata { CustomAttributes = JsonDocument.Parse("""{"aiSummary":"wants refund","nested":{"score":0.9}}""").RootElement },
            },
        };

        await client.OpenMessaging.SendMessageAsync("int-1", message);

        var body = JsonDocument.Parse(Assert.Single(_stub.ApiRequests).Body).RootElement;
        var channel = body.GetProperty("channel");
        Assert.Equal(0.9, channel.GetProperty("metadata").GetProperty("customAttributes").GetProperty("nested").GetProperty("score").GetDouble());
        Assert.Equal("2025-03-01T12:00:00.123Z", channel.GetProperty("time").GetString());
        Assert.Equal("Opaque", channel.GetProperty("from").GetProperty("idType").GetString());
        Assert.False(body.TryGetProperty("content", out _));
        Assert.False(channel.GetProperty("from").TryGetProperty("email", out _));
    }

    [Fact]
    public async Task A_message_without_our_message_id_is_refused_before_sending()
    {
        using var client = StubGenesys.Client(_stub);
        var message = Message("x", "hi") with { Channel = Message("x", "hi").Channel with { MessageId = null } };

        await Assert.ThrowsAsync<ArgumentException>(() => client.OpenMessaging.SendMessageAsync("int-1", message));
        Assert.Empty(_stub.Requests);
    }

    [Fact]
    public async Task Receipts_carry_the_genesys_outbound_id_and_only_delivered_or_failed()
    {
        _stub.Respond = (_, _) => Task.FromResult(StubGenesys.Json(HttpStatusCode.Accepted, """{"id":"r-1","type":"Receipt","status":"Failed"}"""));
        using var client = StubGenesys.Client(_stub);
        var receipt = new InboundReceipt
        {
            Id = "c327c2078ca056db130c55ce648d9fa2",
            Channel = new InboundReceiptChannel { To = new InboundParty { Id = "user-123" }, Time = DateTimeOffset.UnixEpoch },
            Status = ReceiptStatuses.Failed,
            Reasons = [new ReceiptReason { Code = "GeneralError", Message = "user offline" }],
            IsFinalReceipt = true,
        };

        var answer = await client.OpenMessaging.SendReceiptAsync("int-1", receipt);
        await Assert.ThrowsAsync<ArgumentException>(() => client.OpenMessaging.SendReceiptAsync("int-1", receipt with { Status = "Read" }));

        Assert.Equal("Failed", answer.Status);
        var body = JsonDocument.Parse(Assert.Single(_stub.ApiRequests).Body).RootElement;
        Assert.Equal("c327c2078ca056db130c55ce648d9fa2", body.GetProperty("id").GetString());
        Assert.Equal("user-123", body.GetProperty("channel").GetProperty("to").GetProperty("id").GetString());
    }

    [Fact]
    public async Task Ids_in_paths_are_escaped()
    {
        _stub.Respond = (_, _) => Task.FromResult(StubGenesys.Json(HttpStatusCode.OK, QueueJson));
        using var client = StubGenesys.Client(_stub);

        await client.Routing.GetQueueAsync("a/b?c");

        Assert.Equal("/api/v2/routing/queues/a%2Fb%3Fc", Assert.Single(_stub.ApiRequests).Uri.AbsolutePath);
    }

    [Fact]
    public async Task The_flow_upload_sends_exactly_the_returned_headers_and_no_bearer()
    {
        _stub.Respond = (r, _) => Task.FromResult(r.Path switch
        {
            "/api/v2/flows/jobs" => StubGenesys.Json(HttpStatusCode.OK, """{"id":"job-1","presignedUrl":"http://uploads.test/bucket/job-1?sig=abc","headers":{"Content-Type":"application/octet-stream","x-amz-meta-job":"job-1"}}"""),
            "/bucket/job-1" => new HttpResponseMessage(HttpStatusCode.OK),
            _ => StubGenesys.Json(HttpStatusCode.OK, """{"id":"job-1","status":"Success","flow":{"id":"flow-1"}}"""),
        });
        using var client = StubGenesys.Client(_stub);

        var job = await client.Architect.DeployFlowAsync("inboundShortMessage:\n  name: x\n", TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(10));

        Assert.Equal("flow-1", job.Flow?.Id);
        var upload = Assert.Single(_stub.Requests, r => r.Uri.Host == "uploads.test");
        Assert.Equal(HttpMethod.Put, upload.Method);
        Assert.Equal("?sig=abc", upload.Uri.Query);
        Assert.False(upload.Headers.ContainsKey("Authorization"));
        Assert.Equal("application/octet-stream", upload.Headers["Content-Type"]);
        Assert.Equal("job-1", upload.Headers["x-amz-meta-job"]);
        Assert.Equal("inboundShortMessage:\n  name: x\n", upload.Body);
    }

    [Fact]
    public async Task Waiting_for_an_integration_returns_once_creation_completes_or_fails()
    {
        _stub.Respond = (_, attempt) => Task.FromResult(StubGenesys.Json(HttpStatusCode.OK, attempt < 3
            ? """{"id":"int-1","createStatus":"Initiated"}"""
            : """{"id":"int-1","createStatus":"Error","createError":{"message":"webhook url refused","code":"bad.request","status":400}}"""));
        using var client = StubGenesys.Client(_stub);

        var integration = await client.Messaging.WaitForIntegrationCreatedAsync("int-1", TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(10));

        Assert.Equal(CreateStatuses.Error, integration.CreateStatus);
        Assert.Equal("webhook url refused", integration.CreateError?.Message);
    }

    [Fact]
    public async Task Waiting_for_an_integration_gives_up_at_the_deadline()
    {
        _stub.Respond = (_, _) => Task.FromResult(StubGenesys.Json(HttpStatusCode.OK, """{"id":"int-1","createStatus":"Initiated"}"""));
        using var client = StubGenesys.Client(_stub);

        await Assert.ThrowsAsync<TimeoutException>(() => client.Messaging.WaitForIntegrationCreatedAsync("int-1", TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(20)));
    }

    [Fact]
    public async Task Every_attempt_is_counted_by_endpoint_template_and_status()
    {
        var id = Guid.NewGuid().ToString("N");
        _stub.Respond = (_, attempt) => Task.FromResult(attempt == 1
            ? StubGenesys.Json(HttpStatusCode.ServiceUnavailable, "{}")
            : StubGenesys.Json(HttpStatusCode.OK, """{"id":"conv"}"""));
        using var client = StubGenesys.Client(_stub);
        const string Endpoint = "GET /api/v2/conversations/messages/{conversationId}";
        var before503 = GenesysMetricsHandler.RequestsCounter.WithLabels(Endpoint, "503").Value;
        var before200 = GenesysMetricsHandler.RequestsCounter.WithLabels(Endpoint, "200").Value;

        await client.Conversations.GetMessageConversationAsync(id);

        Assert.Equal(before503 + 1, GenesysMetricsHandler.RequestsCounter.WithLabels(Endpoint, "503").Value);
        // Simulator tests in other classes may count 200s on this endpoint concurrently; none of them sees a 503 here.
        Assert.True(GenesysMetricsHandler.RequestsCounter.WithLabels(Endpoint, "200").Value >= before200 + 1);
        Assert.DoesNotContain(GenesysMetricsHandler.RequestsCounter.GetAllLabelValues(), labels => labels[0].Contains(id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Logs_never_contain_the_token_or_the_client_secret()
    {
        var logs = new CapturingLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        services.AddGenesysClient(o =>
            {
                o.Environment = StubGenesys.BaseUrl.ToString();
                o.ClientId = StubGenesys.ClientId;
                o.ClientSecret = StubGenesys.ClientSecret;
                o.RetryBaseDelay = TimeSpan.FromMilliseconds(5);
            })
            .ConfigurePrimaryHttpMessageHandler(() => _stub);
        _stub.Respond = (r, attempt) => Task.FromResult(attempt switch
        {
            1 => StubGenesys.Json(HttpStatusCode.Unauthorized, """{"message":"expired","code":"credentials.expired","status":401}"""),
            2 => StubGenesys.Json(HttpStatusCode.ServiceUnavailable, "{}"),
            _ => StubGenesys.Json(HttpStatusCode.OK, """{"id":"q-1","OAuthClient":{"id":"client-7f3a"}}"""),
        });
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<GenesysClient>();

        var me = await client.OAuth.GetTokenInfoAsync();

        Assert.Equal("client-7f3a", me.OAuthClient?.Id);
        Assert.NotEmpty(logs.Lines);
        Assert.Contains(logs.Lines, l => l.Contains("Fetched a Genesys access token", StringComparison.Ordinal));
        Assert.Contains(logs.Lines, l => l.Contains("retrying", StringComparison.Ordinal));
        foreach (var line in logs.Lines)
        {
            Assert.DoesNotContain("SECRETISH", line, StringComparison.Ordinal);
            Assert.DoesNotContain(StubGenesys.ClientSecret, line, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToBase64String("client-7f3a:s3cr3t-VALUE-never-logged"u8.ToArray()), line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Secrets_never_print()
    {
        const string Secret = "do-not-print-me-ever";
        var printed = string.Join(
            "\n",
            new GenesysCredentials("id", Secret).ToString(),
            new OAuthClient { Id = "id", Secret = Secret }.ToString(),
            new OpenIntegrationRequest { Name = "n", OutboundNotificationWebhookSignatureSecretToken = Secret }.ToString(),
            new TokenResponse { AccessToken = Secret }.ToString());

        Assert.DoesNotContain(Secret, printed, StringComparison.Ordinal);
        Assert.Contains("ClientId = id", printed, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_endpoint_label_is_a_template_without_ids()
    {
        Assert.Equal(GenesysEndpoints.All.Count, GenesysEndpoints.All.Select(e => e.Name).Distinct().Count());
        Assert.All(GenesysEndpoints.All, e => Assert.Matches(@"^(GET|HEAD|POST|PUT|PATCH|DELETE) (/[a-z0-9/{}A-Z]+|\{presignedUrl\})$", e.Name));
    }

    private static InboundOpenMessage Message(string messageId, string text) => new()
    {
        Channel = new InboundChannel
        {
            MessageId = messageId,
            Time = new DateTimeOffset(2025, 3, 1, 12, 0, 0, 123, TimeSpan.Zero),
            From = new InboundParty { Id = "user-123", FirstName = "Ada" },
        },
        Text = text,
    };

    private sealed class RejectingLogin : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(StubGenesys.Json(HttpStatusCode.Unauthorized, """{"error":"invalid_client","description":"client not found"}"""));
    }
}

/// <summary>Endpoints the simulator does not serve yet (role list and update), checked on the wire.</summary>
public sealed class RoleMaintenanceTests : IDisposable
{
    private readonly StubGenesys _stub = new();

    public void Dispose() => _stub.Dispose();

    [Fact]
    public async Task Roles_are_listed_by_name_and_replaced_with_put()
    {
        _stub.Respond = (r, _) => Task.FromResult(r.Method == HttpMethod.Get
            ? StubGenesys.Json(HttpStatusCode.OK, """{"entities":[{"id":"r-1","name":"AI Handoff Provider"}],"pageSize":25,"pageNumber":1,"total":1}""")
            : StubGenesys.Json(HttpStatusCode.OK, """{"id":"r-1","name":"AI Handoff Provider","permissionPolicies":[{"domain":"conversation","entityName":"message","actionSet":["*"]}]}"""));
        using var client = StubGenesys.Client(_stub);

        var page = await client.Authorization.ListRolesAsync("AI Handoff Provider");
        var role = await client.Authorization.UpdateRoleAsync("r-1", new RoleRequest
        {
            Name = "AI Handoff Provider",
            PermissionPolicies = [new PermissionPolicy { Domain = "conversation", EntityName = "message", ActionSet = ["*"] }],
        });

        Assert.Equal("r-1", Assert.Single(page.Entities).Id);
        Assert.Equal("*", role.PermissionPolicies![0].ActionSet[0]);
        var sent = _stub.ApiRequests;
        Assert.Equal("?name=AI%20Handoff%20Provider&pageSize=25&pageNumber=1", sent[0].Uri.Query);
        Assert.Equal(HttpMethod.Put, sent[1].Method);
        Assert.Equal("/api/v2/authorization/roles/r-1", sent[1].Path);
        Assert.Equal("""{"name":"AI Handoff Provider","permissionPolicies":[{"domain":"conversation","entityName":"message","actionSet":["*"]}]}""", sent[1].Body);
    }
}
