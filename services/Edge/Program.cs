using PolyAi.Messaging.Edge;
using PolyAi.Messaging.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddEdge();

var app = builder.Build();
app.UseUnexpectedErrorHandling();
app.UseMetricsListener();
app.UseRequestMetrics();
app.UseWebchatPage();
app.UseCors();
app.UseRateLimiter();
app.MapDefaultEndpoints();
app.MapEdgeProxy();
app.Run();
