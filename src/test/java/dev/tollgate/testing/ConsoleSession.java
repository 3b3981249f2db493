package dev.tollgate.testing;

import static io.restassured.RestAssured.given;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A logged-in console user driven over HTTP: the form login cookie and the server-side session's cookie, plus the
 * CSRF cookie and token.
 */
public final class ConsoleSession {

    private static final Pattern CSRF_FIELD = Pattern.compile("name=\"csrf-token\" value=\"([^\"]+)\"");

    private final String credential;
    private final String session;
    private final String csrfCookie;
    private final String csrfToken;

    private ConsoleSession(String credential, String session, String csrfCookie, String csrfToken) {
        this.credential = credential;
        this.session = session;
        this.csrfCookie = csrfCookie;
        this.csrfToken = csrfToken;
    }

    public static ConsoleSession login(String username, String password) {
        Response login = given().redirects().follow(false)
                .formParam("j_username", username).formParam("j_password", password)
                .post("/j_security_check").then().statusCode(302).extract().response();
        String credential = login.cookie("quarkus-credential");
        String session = login.cookie("tollgate-session");
        if (credential == null || session == null) {
            throw new AssertionError("login failed for " + username);
        }
        Response page = given().redirects().follow(false).cookie("quarkus-credential", credential)
                .cookie("tollgate-session", session).get("/console/tenants");
        Matcher m = CSRF_FIELD.matcher(page.asString());
        if (!m.find()) {
            throw new AssertionError("no CSRF token on the tenants page");
        }
        return new ConsoleSession(credential, session, page.cookie("csrf-token"), m.group(1));
    }

    public RequestSpecification request() {
        RequestSpecification spec = given().redirects().follow(false).cookie("quarkus-credential", credential)
                .cookie("tollgate-session", session);
        return csrfCookie == null ? spec : spec.cookie("csrf-token", csrfCookie);
    }

    /** The session's cookies as a Cookie header, for clients other than REST Assured. */
    public String cookieHeader() {
        return "quarkus-credential=" + credential + "; tollgate-session=" + session
                + (csrfCookie == null ? "" : "; csrf-token=" + csrfCookie);
    }

    /** This login's cookie with another session's cookie, or with none when {@code session} is null. */
    public RequestSpecification requestWithSession(String session) {
        RequestSpecification spec = given().redirects().follow(false).cookie("quarkus-credential", credential);
        return session == null ? spec : spec.cookie("tollgate-session", session);
    }

    public String sessionCookie() {
        return session;
    }

    public Response get(String path) {
        return request().get(path);
    }

    /** The page a console redirect leads to, with the one-time message (flash) the redirect set. */
    public Response follow(Response redirect) {
        String flash = redirect.cookie("tollgate-flash");
        RequestSpecification spec = request();
        return (flash == null ? spec : spec.cookie("tollgate-flash", flash)).get(redirect.header("Location"));
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
