using PolyAi.Messaging.Edge;
using PolyAi.Messaging.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddEdge();

var app = builder.Build();
app.UseUnexpectedErrorHandling();
app.UseMetricsListener();
app.MapDefaultEndpoints();
app.MapEdge();
app.Run();
