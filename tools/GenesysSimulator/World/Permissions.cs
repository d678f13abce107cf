namespace PolyAi.Messaging.GenesysSimulator.World;

/// <summary>The permission strings the simulated endpoints check, with the labels the permissions lookup shows.</summary>
internal static class Permissions
{
    public const string MessageReceive = "conversation:message:receive";
    public const string MessageView = "conversation:message:view";
    public const string MessagePark = "conversation:message:park";
    public const string CommunicationDisconnect = "conversation:communication:disconnect";
    public const string ParticipantWrapup = "conversation:participant:wrapup";
    public const string RoleAdd = "authorization:role:add";
    public const string RoleView = "authorization:role:view";
    public const string RoleEdit = "authorization:role:edit";
    public const string GrantAdd = "authorization:grant:add";
    public const string ClientAdd = "oauth:client:add";
    public const string ClientView = "oauth:client:view";
    public const string SettingAdd = "messaging:setting:add";
    public const string SettingView = "messaging:setting:view";
    public const string SettingEdit = "messaging:setting:edit";
    public const string IntegrationAdd = "messaging:integration:add";
    public const string IntegrationView = "messaging:integration:view";
    public const string IntegrationEdit = "messaging:integration:edit";
    public const string IntegrationDelete = "messaging:integration:delete";
    public const string QueueAdd = "routing:queue:add";
    public const string QueueView = "routing:queue:view";
    public const string QueueEdit = "routing:queue:edit";
    public const string QueueMemberManage = "routing:queueMember:manage";
    public const string MessageRoutingManage = "routing:message:manage";
    public const string JobCreate = "architect:job:create";
    public const string JobView = "architect:job:view";
    public const string FlowView = "architect:flow:view";
    public const string FlowPublish = "architect:flow:publish";
    public const string QueueObservationView = "analytics:queueObservation:view";

    /// <summary>Every permission the simulated org knows (what the lookup API lists), domain:entity:action → label.</summary>
    public static readonly IReadOnlyDictionary<string, string> Catalog = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["agentUI:agents:view"] = "View",
        ["analytics:conversationDetail:view"] = "View",
        ["analytics:queueObservation:view"] = "View",
        ["architect:datatable:add"] = "Add",
        ["architect:datatable:edit"] = "Edit",
        ["architect:datatable:view"] = "View",
        ["architect:flow:publish"] = "Publish",
        ["architect:flow:view"] = "View",
        ["architect:job:create"] = "Create",
        ["architect:job:view"] = "View",
        ["authorization:grant:add"] = "Add",
        ["authorization:role:add"] = "Add",
        ["authorization:role:edit"] = "Edit",
        ["authorization:role:view"] = "View",
        ["conversation:communication:disconnect"] = "Disconnect",
        ["conversation:message:accept"] = "Accept",
        ["conversation:message:assign"] = "Assign",
        ["conversation:message:create"] = "Create",
        ["conversation:message:monitor"] = "Monitor",
        ["conversation:message:park"] = "Park",
        ["conversation:message:pull"] = "Pull",
        ["conversation:message:receive"] = "Receive",
        ["conversation:message:view"] = "View",
        ["conversation:participant:wrapup"] = "Wrapup",
        ["messaging:integration:add"] = "Add",
        ["messaging:integration:delete"] = "Delete",
        ["messaging:integration:edit"] = "Edit",
        ["messaging:integration:view"] = "View",
        ["messaging:setting:add"] = "Add",
        ["messaging:setting:delete"] = "Delete",
        ["messaging:setting:edit"] = "Edit",
        ["messaging:setting:view"] = "View",
        ["oauth:client:add"] = "Add",
        ["oauth:client:view"] = "View",
        ["routing:message:manage"] = "Manage",
        ["routing:queue:add"] = "Add",
        ["routing:queue:delete"] = "Delete",
        ["routing:queue:edit"] = "Edit",
        ["routing:queue:join"] = "Join",
        ["routing:queue:view"] = "View",
        ["routing:queueMember:manage"] = "Manage",
    };
}
