package dev.tollgate.testing;

import static io.restassured.RestAssured.given;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A logged-in console user driven over HTTP: form login cookie plus the CSRF cookie and token. */
public final class ConsoleSession {

    private static final Pattern CSRF_FIELD = Pattern.compile("name=\"csrf-token\" value=\"([^\"]+)\"");

    private final String credential;
    private final String csrfCookie;
    private final String csrfToken;

    private ConsoleSession(String credential, String csrfCookie, String csrfToken) {
        this.credential = credential;
        this.csrfCookie = csrfCookie;
        this.csrfToken = csrfToken;
    }

    public static ConsoleSession login(String username, String password) {
        String credential = given().redirects().follow(false)
                .formParam("j_username", username).formParam("j_password", password)
                .post("/j_security_check").then().statusCode(302).extract().cookie("quarkus-credential");
        if (credential == null) {
            throw new AssertionError("login failed for " + username);
        }
        Response page = given().redirects().follow(false).cookie("quarkus-credential", credential)
                .get("/console/tenants");
        Matcher m = CSRF_FIELD.matcher(page.asString());
        if (!m.find()) {
            throw new AssertionError("no CSRF token on the tenants page");
        }
        return new ConsoleSession(credential, page.cookie("csrf-token"), m.group(1));
    }

    public RequestSpecification request() {
        RequestSpecification spec = given().redirects().follow(false).cookie("quarkus-credential", credential);
        return csrfCookie == null ? spec : spec.cookie("csrf-token", csrfCookie);
    }

    /** The session's cookies as a Cookie header, for clients other than REST Assured. */
    public String cookieHeader() {
        return "quarkus-credential=" + credential + (csrfCookie == null ? "" : "; csrf-token=" + csrfCookie);
    }

    public Response get(String path) {
        return request().get(path);
    }

    /** A form post with the CSRF token, as the browser would send it: in UTF-8, the charset of the console's pages. */
    public Response post(String path, Map<String, ?> form) {
        Map<String, Object> params = new HashMap<>(form);
        params.put("csrf-token", csrfToken);
        return request().contentType("application/x-www-form-urlencoded; charset=UTF-8").formParams(params).post(path);
    }

    /** A form post without the CSRF token, as a forged cross-site request would arrive. */
    public Response postWithoutToken(String path, Map<String, ?> form) {
        return request().contentType("application/x-www-form-urlencoded").formParams(form).post(path);
    }
}
