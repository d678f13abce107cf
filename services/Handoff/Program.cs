using PolyAi.Messaging.Handoff;
using PolyAi.Messaging.Handoff.Handoffs;
using PolyAi.Messaging.Handoff.Sessions;
using PolyAi.Messaging.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddHandoffServices();

var app = builder.Build();
app.UseUnexpectedErrorHandling();
app.UseMetricsListener();
app.UseDaprAppToken();
app.UseCloudEvents();
app.MapSubscribeHandler();
app.UseRequestMetrics();
app.MapDefaultEndpoints();
app.MapSessionConsumer();
app.MapGrpcService<HandoffRpc>();
app.Run();
