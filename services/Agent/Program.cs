using PolyAi.Messaging.Agent;
using PolyAi.Messaging.Agent.Chat;
using PolyAi.Messaging.Agent.Handoffs;
using PolyAi.Messaging.Agent.Transcripts;
using PolyAi.Messaging.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddAgentServices();

var app = builder.Build();
app.UseUnexpectedErrorHandling();
app.UseMetricsListener();
app.UseDaprAppToken();
app.UseCloudEvents();
app.MapSubscribeHandler();
app.UseRequestMetrics();
app.MapDefaultEndpoints();
app.MapTranscriptConsumer();
app.MapHandoffEventsConsumer();
app.MapChatApi();
app.Run();
