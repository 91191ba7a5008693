using DeployMind.Application.Build;
using DeployMind.Domain.Build;
using DeployMind.Infrastructure.Build.Templates;

namespace DeployMind.Infrastructure.Build;

internal sealed partial class DockerfileGenerator
{
    private static void WriteRuby(DockerfileWriter w, DetectionResult d, Func<string, string> image)
    {
        var ruby = image(BaseImageCatalog.Ruby);
        const string BundleEnv = "ENV BUNDLE_DEPLOYMENT=1 BUNDLE_WITHOUT=development:test BUNDLE_PATH=/usr/local/bundle";
        w.Blank().Comment("Build stage: gems (with native extensions) installed from the Gemfile and its lock.")
            .Line($"FROM {ruby} AS build")
            .Line(BundleEnv)
            .Line("WORKDIR /app")
            .Run("apt-get update",
                "apt-get install -y --no-install-recommends build-essential",
                "rm -rf /var/lib/apt/lists/*")
            .Line(d.Lockfile is null ? "COPY Gemfile ./" : $"COPY Gemfile {d.Lockfile} ./")
            .Run("bundle install --jobs 4")
            .Line("COPY . .");

        w.Blank().Comment("Runtime stage: the installed gems and the app, run by an unprivileged user.")
            .Line($"FROM {ruby}")
            .Line(BundleEnv)
            .Line($"ENV PORT={d.Port} RACK_ENV=production RAILS_ENV=production RAILS_LOG_TO_STDOUT=1")
            .Run("useradd --create-home --uid 10001 --user-group app")
            .Line("WORKDIR /app")
            .Line("COPY --from=build /usr/local/bundle /usr/local/bundle")
            .Line("COPY --from=build --chown=app:app /app /app")
            .Line("USER app")
            .Line($"EXPOSE {d.Port}")
            .Exec("CMD", CommandArguments(d.StartCommand));
    }
}
