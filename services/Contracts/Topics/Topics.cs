namespace PolyAi.Messaging.Contracts;

/// <summary>Names of the Dapr components and topics the services meet on.</summary>
public static class Topics
{
    public const string PubSub = "pubsub";
    public const string GenesysNotifications = "genesys-notifications";
    public const string GenesysNotificationsDeadLetter = "genesys-notifications-dead";
    public const string HandoffEvents = "handoff-events";
}
