using DeployMind.Application.Build;
using DeployMind.Domain.Build;
using DeployMind.Infrastructure.Build.Templates;

namespace DeployMind.Infrastructure.Build;

internal sealed partial class DockerfileGenerator
{
    private static void WritePhp(DockerfileWriter w, DetectionResult d, Func<string, string> image)
    {
        var hasComposer = d.PackageManager == "composer";
        if (hasComposer)
        {
            w.Blank().Comment("Dependencies stage: Composer packages installed from the manifest and its lock.")
                .Line($"FROM {image(BaseImageCatalog.Composer)} AS deps")
                .Line("WORKDIR /app")
                .Line(d.Lockfile is null ? "COPY composer.json ./" : $"COPY composer.json {d.Lockfile} ./")
                .Run("composer install --no-dev --no-interaction --no-scripts --no-autoloader --prefer-dist --ignore-platform-reqs")
                .Line("COPY . .")
                .Run("composer dump-autoload --no-dev --optimize --no-interaction");
        }

        w.Blank().Comment("Runtime stage: PHP CLI (built-in server or artisan), run by an unprivileged user.")
            .Line($"FROM {image(BaseImageCatalog.Php)}")
            .Line($"ENV PORT={d.Port}")
            .Run("useradd --create-home --uid 10001 --user-group app")
            .Line("WORKDIR /app")
            .Line(hasComposer ? "COPY --from=deps --chown=app:app /app /app" : "COPY --chown=app:app . .")
            .Line("USER app")
            .Line($"EXPOSE {d.Port}")
            .Exec("CMD", CommandArguments(d.StartCommand));
    }
}
