package dev.tollgate.gateway;

import dev.tollgate.ledger.UsageLedger;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/** A chat call sent on a raw socket under the client's own id (so a test can leave mid-call), and its ledger rows. */
final class ClientCalls {

    private ClientCalls() {
    }

    /** Sends a non-streamed Flash "Hi" and returns the open socket, the answer unread. */
    static Socket post(URL chatUrl, String key, String clientRequestId) throws Exception {
        Socket socket = new Socket(chatUrl.getHost(), chatUrl.getPort());
        send(socket, key, clientRequestId,
                "{\"model\":\"deepseek-v4-flash\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        return socket;
    }

    /** Sends a chat call with this body on a connected socket, the answer unread. */
    static void send(Socket socket, String key, String clientRequestId, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + key
                + "\r\nX-Client-Request-Id: " + clientRequestId + "\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    /** The value of an SQL expression over each attempt's row of the call, in attempt order. */
    static List<String> recorded(DataSource dataSource, String expression, String clientRequestId) throws SQLException {
        return rows(dataSource, expression, "client_request_id", clientRequestId);
    }

    /** The value of an SQL expression over each row whose column has the value, in attempt order. */
    static List<String> rows(DataSource dataSource, String expression, String column, String value)
            throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement st = c.prepareStatement("select " + expression + " from usage_ledger"
                        + " where " + column + " = ? order by attempt")) {
            st.setString(1, value);
            List<String> values = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    values.add(rs.getString(1));
                }
            }
            return values;
        }
    }

    /** Waits (not a timing assertion: the bound only stops a broken build from hanging) for the call's rows. */
    static void awaitRows(UsageLedger ledger, DataSource dataSource, String clientRequestId) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (recorded(dataSource, "attempt", clientRequestId).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no ledger row for " + clientRequestId);
            }
            ledger.flush();
        }
    }
}
