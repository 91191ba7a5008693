using DeployMind.Application.Build;
using DeployMind.Domain.Build;
using DeployMind.Infrastructure.Build.Detection;
using DeployMind.Infrastructure.Build.Templates;

namespace DeployMind.Infrastructure.Build;

internal sealed partial class DockerfileGenerator
{
    private void WriteNode(DockerfileWriter w, DetectionResult d, Func<string, string> image)
    {
        var node = image(BaseImageCatalog.Node);
        var pm = d.PackageManager;
        var lockfile = d.Lockfile;
        var manifests = lockfile is null ? "package.json" : $"package.json {lockfile}";
        var hasBuild = Fact(d, DetectionFacts.BuildScript) == "true";
        var (install, installProd) = pm switch
        {
            "pnpm" => ("corepack enable pnpm && pnpm install --frozen-lockfile", "corepack enable pnpm && pnpm install --frozen-lockfile --prod"),
            "yarn" => ("yarn install --frozen-lockfile", "yarn install --frozen-lockfile --production"),
            "bun" => ("npm install --global bun@1 && bun install --frozen-lockfile", "npm install --global bun@1 && bun install --frozen-lockfile --production"),
            _ when lockfile is null => ("npm install --no-audit --no-fund", "npm install --omit=dev --no-audit --no-fund"),
            _ => ("npm ci --no-audit --no-fund", "npm ci --omit=dev --no-audit --no-fund"),
        };

        // The package manager's download cache (the stages run as root).
        var cache = pm switch
        {
            "pnpm" => "/root/.local/share/pnpm/store",
            "yarn" => "/usr/local/share/.cache/yarn",
            "bun" => "/root/.bun/install/cache",
            _ => "/root/.npm",
        };
        w.Blank().Comment("Dependencies stage: production dependencies only, cached until the manifests change.")
            .Line($"FROM {node} AS deps")
            .Line("WORKDIR /app")
            .Line($"COPY {manifests} ./")
            .RunCached([cache], installProd);

        if (hasBuild)
        {
            var runBuild = pm switch { "pnpm" => "pnpm run build", "yarn" => "yarn run build", "bun" => "bun run build", _ => "npm run build" };
            w.Blank().Comment("Build stage: all dependencies and the build; its node_modules (with dev dependencies) stay behind.")
                .Line($"FROM {node} AS build")
                .Line("WORKDIR /app")
                .Line($"COPY {manifests} ./")
                .RunCached([cache], install)
                .Line("COPY . .")
                .Run(runBuild, "rm -rf node_modules");
        }

        w.Blank().Comment("Runtime stage: the official image's unprivileged `node` user.")
            .Line($"FROM {node}")
            .Line($"ENV NODE_ENV=production PORT={d.Port}")
            .Line("WORKDIR /app");
        w.Line("COPY --from=deps --chown=node:node /app/node_modules ./node_modules")
            .Line(hasBuild ? "COPY --from=build --chown=node:node /app ./" : "COPY --chown=node:node . .");

        w.Line("USER node").Line($"EXPOSE {d.Port}");
        if (HealthCheckPath is { } path)
        {
            var probe = "require('http').get('http://127.0.0.1:' + (process.env.PORT || " + d.Port + ") + '" + path
                + "', r => process.exit(r.statusCode < 400 ? 0 : 1)).on('error', () => process.exit(1))";
            w.Line("HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \\")
                .Line("    CMD " + DockerfileWriter.ToJsonArray(["node", "-e", probe]));
        }

        w.Exec("CMD", CommandArguments(NodeStartCommand(d)));
    }

    // The runtime stage has node and npm only (pnpm, yarn berry and bun need corepack or their own image), so the
    // start script runs through npm, which reads the same package.json. When the script is just `node <file>`,
    // node runs directly: as PID 1 it gets SIGTERM itself instead of through npm.
    private static string NodeStartCommand(DetectionResult d)
    {
        if (d.StartCommandFromProcfile)
        {
            return d.StartCommand;
        }

        var startScript = Fact(d, DetectionFacts.StartScript);
        if (startScript.StartsWith("node ", StringComparison.Ordinal) && !startScript.Contains('$', StringComparison.Ordinal)
            && startScript.IndexOfAny(['&', '|', ';', '>', '<']) < 0)
        {
            return startScript;
        }

        return d.StartCommand.Split(' ')[0] is "pnpm" or "yarn" or "bun" ? "npm start" : d.StartCommand;
    }
}
