using PolyAi.Messaging.ServiceDefaults;
using PolyAi.Messaging.Verifier;
using PolyAi.Messaging.Verifier.Webhooks;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddVerifier();

var app = builder.Build();
app.UseUnexpectedErrorHandling();
app.UseMetricsListener();
app.UseRequestMetrics();
app.MapDefaultEndpoints();
app.MapWebhookApi();
app.Run();
