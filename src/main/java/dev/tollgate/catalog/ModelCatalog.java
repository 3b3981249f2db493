package dev.tollgate.catalog;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** The models Tollgate serves: rows of the model table, held in memory and re-read every minute. */
@ApplicationScoped
public class ModelCatalog {

    @Inject
    AgroalDataSource dataSource;

    private final LoadingCache<String, List<CatalogModel>> models = Caffeine.newBuilder()
            .refreshAfterWrite(Duration.ofMinutes(1))
            .build(k -> load());

    public List<CatalogModel> models() {
        return models.get("all");
    }

    public Set<String> ids() {
        return models().stream().map(CatalogModel::id).collect(Collectors.toUnmodifiableSet());
    }

    private List<CatalogModel> load() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select id, owned_by from model where enabled order by sort_order, id")) {
            List<CatalogModel> result = new ArrayList<>();
            while (rs.next()) {
                result.add(new CatalogModel(rs.getString(1), rs.getString(2)));
            }
            return List.copyOf(result);
        }
    }
}
