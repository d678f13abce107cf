using PolyAi.Messaging.Setup.Cli;

return await SetupCli.RunAsync(args, new SetupHost());
