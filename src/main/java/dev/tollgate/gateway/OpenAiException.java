package dev.tollgate.gateway;

/** An error answered to a gateway client as OpenAI error JSON with the given HTTP status. */
public class OpenAiException extends RuntimeException {

    private final int status;
    private final String type;
    private final String code;
    private final String param;

    public OpenAiException(int status, String type, String code, String param, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
    }

    public static OpenAiException invalidApiKey() {
        return new OpenAiException(401, "authentication_error", "invalid_api_key", null,
                "Invalid API key. Check the key you send in the Authorization header, or ask your admin for a new one.");
    }

    public int status() {
        return status;
    }

    public OpenAiError body() {
        return OpenAiError.of(getMessage(), type, param, code);
    }
}
