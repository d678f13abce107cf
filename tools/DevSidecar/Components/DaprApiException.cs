using Grpc.Core;

namespace PolyAi.Messaging.DevSidecar.Components;

/// <summary>
/// An error the Dapr API answers with, carrying both its gRPC status and its HTTP status and error code
/// (as daprd's <c>pkg/messages</c> pairs them), so each API surface maps it in one place.
/// </summary>
internal sealed class DaprApiException(StatusCode grpcStatus, int httpStatus, string errorCode, string message)
    : Exception(message)
{
    public StatusCode GrpcStatus { get; } = grpcStatus;

    public int HttpStatus { get; } = httpStatus;

    public string ErrorCode { get; } = errorCode;

    public static DaprApiException InvalidArgument(string errorCode, string message) =>
        new(StatusCode.InvalidArgument, StatusCodes.Status400BadRequest, errorCode, message);

    public static DaprApiException NotFound(string errorCode, string message) =>
        new(StatusCode.InvalidArgument, StatusCodes.Status404NotFound, errorCode, message);

    public static DaprApiException Aborted(string errorCode, string message) =>
        new(StatusCode.Aborted, StatusCodes.Status409Conflict, errorCode, message);

    public static DaprApiException Internal(string errorCode, string message) =>
        new(StatusCode.Internal, StatusCodes.Status500InternalServerError, errorCode, message);

    public static DaprApiException Unimplemented(string errorCode, string message) =>
        new(StatusCode.Unimplemented, StatusCodes.Status501NotImplemented, errorCode, message);
}
