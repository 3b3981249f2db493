package dev.tollgate.simulator;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An error answer in DeepSeek's shape: {"error":{"message","type","param":null,"code"}}.
 * Thrown while a request is checked, turned into the response by the handler.
 */
final class ApiError extends RuntimeException {

    static final String REASONING_CONTENT_MISSING =
            "The reasoning_content in the thinking mode must be passed back to the API.";

    private final int status;
    private final String type;
    private final String code;

    ApiError(int status, String message) {
        this(status, message, typeFor(status), status >= 500 ? "server_error" : "invalid_request_error");
    }

    ApiError(int status, String message, String type, String code) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.code = code;
    }

    int status() {
        return status;
    }

    /** A request body the real service cannot read: its deserializer's wording, answered with 400 in V4. */
    static ApiError deserialize(String detail) {
        return new ApiError(400, "Failed to deserialize the JSON body into the target type: " + detail);
    }

    /** A value outside its allowed range. */
    static ApiError invalidParameter(String field, String range) {
        return new ApiError(422, "Invalid " + field + " value, the valid range of " + field + " is " + range);
    }

    static ApiError modelNotExist() {
        return new ApiError(400, "Model Not Exist");
    }

    static ApiError authentication(String key) {
        String tail = key == null || key.length() < 4 ? "" : key.substring(key.length() - 4);
        return new ApiError(401, "Authentication Fails, Your api key: ****" + tail + " is invalid");
    }

    static ApiError concurrency(int current, int limit) {
        return new ApiError(429, "Your current concurrency is " + current + ", which exceeds your concurrency limit of "
                + limit + ". Please reduce your concurrency or try again later.");
    }

    /** The answer a fault with an HTTP status gives. */
    static ApiError forFault(Fault fault) {
        return switch (fault.status()) {
            case 400 -> deserialize("simulated invalid request");
            case 401 -> authentication(null);
            case 402 -> new ApiError(402, "Insufficient Balance");
            case 422 -> new ApiError(422, "Invalid Parameters: simulated invalid parameters");
            case 429 -> concurrency(41, 40);
            case 500 -> new ApiError(500, "Internal Server Error");
            case 503 -> new ApiError(503, "Server overloaded, please try again later.");
            default -> throw new IllegalArgumentException(fault + " is not an error status");
        };
    }

    private static String typeFor(int status) {
        return switch (status) {
            case 401 -> "authentication_error";
            case 402 -> "unknown_error";
            case 429 -> "rate_limit_error";
            default -> status >= 500 ? "api_error" : "invalid_request_error";
        };
    }

    ObjectNode body() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", getMessage());
        error.put("type", type);
        error.putNull("param");
        error.put("code", code);
        return root;
    }
}
