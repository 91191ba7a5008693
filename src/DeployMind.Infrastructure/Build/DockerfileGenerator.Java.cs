using DeployMind.Application.Build;
using DeployMind.Domain.Build;
using DeployMind.Infrastructure.Build.Templates;

namespace DeployMind.Infrastructure.Build;

internal sealed partial class DockerfileGenerator
{
    private const string GradleHome = "/root/.gradle";

    private static void WriteJava(DockerfileWriter w, DetectionResult d, Func<string, string> image)
    {
        var gradle = d.PackageManager == "gradle";
        // Gradle's caches go where the mount is, whatever GRADLE_USER_HOME the image sets.
        var gradleHome = w.CacheMounts ? $"GRADLE_USER_HOME={GradleHome} " : string.Empty;
        w.Blank().Comment("Build stage: dependencies resolved from the build files alone, then the jar built.");
        if (gradle)
        {
            w.Line($"FROM {image(BaseImageCatalog.Gradle)} AS build")
                .Line("WORKDIR /src")
                .Line("COPY *.gradle* gradle.propertie[s] ./")
                .RunCached([GradleHome], $"{gradleHome}gradle --no-daemon --quiet dependencies > /dev/null")
                .Line("COPY src ./src")
                .RunCached([GradleHome], $"{gradleHome}gradle --no-daemon --quiet build -x test",
                    "find build/libs -maxdepth 1 -name '*.jar' ! -name '*-plain.jar' -exec cp {} /app.jar ';'");
        }
        else
        {
            w.Line($"FROM {image(BaseImageCatalog.Maven)} AS build")
                .Line("WORKDIR /src")
                .Line("COPY pom.xml ./")
                .RunCached(["/root/.m2"], "mvn --batch-mode --quiet dependency:go-offline")
                .Line("COPY src ./src")
                .RunCached(["/root/.m2"], "mvn --batch-mode --quiet package -DskipTests",
                    "find target -maxdepth 1 -name '*.jar' ! -name 'original-*' -exec cp {} /app.jar ';'");
        }

        w.Blank().Comment("Runtime stage: a JRE only, run by an unprivileged user.")
            .Line($"FROM {image(BaseImageCatalog.JavaRuntime)}")
            .Line($"ENV PORT={d.Port} JAVA_TOOL_OPTIONS=\"-XX:MaxRAMPercentage=75\"")
            .Run("useradd --create-home --uid 10001 --user-group app")
            .Line("WORKDIR /app")
            .Line("COPY --from=build --chown=app:app /app.jar /app/app.jar")
            .Line("USER app")
            .Line($"EXPOSE {d.Port}");
        var start = d.StartCommandFromProcfile || d.Framework != "spring-boot"
            ? d.StartCommand
            : "java -Dserver.port=${PORT} -jar /app/app.jar";
        w.Exec("CMD", CommandArguments(start));
    }
}
