using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using PolyAi.Messaging.Agent.Transcripts;
using PolyAi.Messaging.Handoff.V1;
using PolyAi.Messaging.Testing;

namespace PolyAi.Messaging.Agent.Tests;

/// <summary>The LLM brain against a local OpenAI-compatible server that answers with canned chat completions.</summary>
[Collection(AgentCollection.Name)]
public sealed class LlmBrainTests(AgentFixture fixture) : IAsyncLifetime
{
    private readonly ServiceUnderTest<Program> _service = fixture.Service;
    private readonly ConcurrentQueue<(string? Authorization, JsonElement Body)> _requests = new();
    private WebApplication _llm = null!;
    private Uri _endpoint = null!;

    public async Task InitializeAsync()
    {
        var port = FreePort.Pick();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        _llm = builder.Build();
        _llm.MapPost("/v1/chat/completions", async (HttpRequest request) =>
        {
            var body = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body);
            _requests.Enqueue((request.Headers.Authorization.ToString(), body));
            var last = body.GetProperty("messages").EnumerateArray().Last().GetProperty("content").ToString();
            return Results.Text(last.Contains("person", StringComparison.Ordinal) ? ToolCall : Answer, "application/json");
        });
        await _llm.StartAsync();
        _endpoint = new Uri($"http://127.0.0.1:{port}/v1");
    }

    public async Task DisposeAsync() => await _llm.DisposeAsync();

    private const string Answer = """
        {"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"test-model",
         "choices":[{"index":0,"message":{"role":"assistant","content":"The model says hello."},"finish_reason":"stop"}],
         "usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}
        """;

    private const string ToolCall = """
        {"id":"chatcmpl-2","object":"chat.completion","created":1700000000,"model":"test-model",
         "choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
           "function":{"name":"handoff_to_human","arguments":"{\"reason\":\"asked-for-person\",\"summary\":\"Wants a person about a refund.\"}"}}]},
           "finish_reason":"tool_calls"}],
         "usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}
        """;

    private Task<Contracts.TenantKey> TenantAsync() => fixture.RegisterTenantAsync($"""
        name: llm
        greeting: "Hello from the LLM agent"
        llm:
          endpoint: "{_endpoint}"
          model: test-model
          apiKeySecret: {TestComponents.LlmSecretName}
        """);

    [Fact]
    public async Task The_model_answers_with_the_key_from_the_secret_store_and_the_handoff_tool_offered()
    {
        var chat = await ChatClient.StartAsync(_service.Http, await TenantAsync());
        await using var stream = await chat.StreamAsync();

        (await chat.SendAsync("hello model")).Dispose();

        await stream.WaitForMessageAsync("ai", "The model says hello.");
        var (authorization, body) = Assert.Single(_requests, r => r.Body.GetRawText().Contains("hello model", StringComparison.Ordinal));
        Assert.Equal($"Bearer {TestComponents.LlmApiKey}", authorization);
        Assert.Equal("test-model", body.GetProperty("model").GetString());
        Assert.Contains(body.GetProperty("tools").EnumerateArray(), t => t.GetProperty("function").GetProperty("name").GetString() == "handoff_to_human");
    }

    [Fact]
    public async Task Without_a_named_secret_the_key_comes_from_the_tenants_llm_secret_not_its_main_secret()
    {
        var tenant = new Contracts.TenantKey(TestComponents.LlmTenantAccount, TestComponents.LlmTenantProject, TestComponents.LlmTenantEnv);
        Assert.Equal(TestComponents.LlmTenantSecretName, Brains.LlmBrain.DefaultSecretName(tenant));
        await _service.Dapr.SaveStateAsync(
            ServiceUnderTest<Program>.StateStore,
            tenant.RecordStateKey,
            new Contracts.TenantRecord(tenant.AccountId, tenant.ProjectId, tenant.ClientEnv, IntegrationId: "integration-1", QueueId: "queue-1", AgentDefinition: $"""
                name: llm-default-secret
                llm:
                  endpoint: "{_endpoint}"
                  model: test-model
                """));
        var chat = await ChatClient.StartAsync(_service.Http, tenant);
        await using var stream = await chat.StreamAsync();

        (await chat.SendAsync("hello default secret")).Dispose();

        await stream.WaitForMessageAsync("ai", "The model says hello.");
        var (authorization, _) = Assert.Single(_requests, r => r.Body.GetRawText().Contains("hello default secret", StringComparison.Ordinal));
        Assert.Equal($"Bearer {TestComponents.LlmTenantApiKey}", authorization);
    }

    [Fact]
    public async Task A_handoff_tool_call_starts_a_handoff_with_the_models_summary()
    {
        var chat = await ChatClient.StartAsync(_service.Http, await TenantAsync());
        await using var stream = await chat.StreamAsync();

        (await chat.SendAsync("let me speak to a person")).Dispose();

        await stream.WaitForAsync("handoff", e => e.Get("status") == "queued");
        var start = Assert.Single(fixture.Handoff.CallsOf<StartHandoffRequest>(r => r.ConversationId == chat.ConversationId));
        Assert.Equal("asked-for-person", start.Intent);
        Assert.Equal("Wants a person about a refund.", start.Summary);
    }
}
