using DeployMind.Application;
using DeployMind.Infrastructure;

// The server composes the same registrations as the CLI: one wiring, two front doors.
// Webhooks, the REST API and the worker host arrive with their issues; today it answers liveness.
var builder = WebApplication.CreateBuilder(args);
builder.AddDeployMindApplication();
builder.AddDeployMindInfrastructure();

var app = builder.Build();
app.MapGet("/healthz", () => Results.Ok(new { status = "ok" }));
app.Run();
