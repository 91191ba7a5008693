using DeployMind.Domain.Build;
using DeployMind.Infrastructure.Build.Detection;

namespace DeployMind.UnitTests.Build;

public sealed class LanguageDetectorJavaTests
{
    private const string SpringBootPom = """
        <?xml version="1.0" encoding="UTF-8"?>
        <project xmlns="http://maven.apache.org/POM/4.0.0">
          <modelVersion>4.0.0</modelVersion>
          <parent>
            <groupId>org.springframework.boot</groupId>
            <artifactId>spring-boot-starter-parent</artifactId>
            <version>3.3.0</version>
          </parent>
          <artifactId>demo</artifactId>
          <version>${revision}</version>
          <properties>
            <java.version>17</java.version>
            <revision>0.0.1-SNAPSHOT</revision>
          </properties>
          <dependencies>
            <dependency>
              <groupId>org.springframework.boot</groupId>
              <artifactId>spring-boot-starter-web</artifactId>
            </dependency>
          </dependencies>
        </project>
        """;

    [Fact]
    public async Task DetectAsync_MavenSpringBootWithWrapper_DetectsJavaFacts()
    {
        using var app = new TempAppFolder()
            .Write("pom.xml", SpringBootPom)
            .Write("mvnw", "#!/bin/sh");

        var result = await app.DetectAsync();

        Assert.Equal(Language.Java, result.Language);
        Assert.Equal("spring-boot", result.Framework);
        Assert.Null(result.EntryPoint);
        Assert.Equal("java -jar /app/app.jar", result.StartCommand);
        Assert.Equal(8080, result.Port);
        Assert.Equal("maven", result.PackageManager);
        Assert.Null(result.Lockfile);
        Assert.Equal("17", result.Facts[DetectionFacts.JavaVersion]);
        Assert.Equal("true", result.Facts[DetectionFacts.MavenWrapper]);
        Assert.Equal("demo-0.0.1-SNAPSHOT.jar", result.Facts[DetectionFacts.JarName]);
        Assert.Contains("pom.xml", result.Evidence);
        Assert.Contains("pom.xml: parent spring-boot-starter-parent", result.Evidence);
        Assert.Equal(1.0, result.Confidence);
    }

    [Fact]
    public async Task DetectAsync_MavenSpringBootDependencyOnly_DetectsSpringBoot()
    {
        using var app = new TempAppFolder()
            .Write("pom.xml", """
                <project>
                  <artifactId>svc</artifactId>
                  <version>1.0</version>
                  <properties><maven.compiler.release>21</maven.compiler.release></properties>
                  <build><finalName>svc-app</finalName></build>
                  <dependencies>
                    <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-webflux</artifactId></dependency>
                  </dependencies>
                </project>
                """);

        var result = await app.DetectAsync();

        Assert.Equal("spring-boot", result.Framework);
        Assert.Contains("pom.xml: dependency org.springframework.boot:spring-boot-starter-webflux", result.Evidence);
        Assert.Equal("21", result.Facts[DetectionFacts.JavaVersion]);
        Assert.Equal("svc-app.jar", result.Facts[DetectionFacts.JarName]);
        Assert.False(result.Facts.ContainsKey(DetectionFacts.MavenWrapper));
    }

    [Fact]
    public async Task DetectAsync_PlainMaven_NoFramework()
    {
        using var app = new TempAppFolder()
            .Write("pom.xml", "<project><artifactId>tool</artifactId></project>");

        var result = await app.DetectAsync();

        Assert.Equal(Language.Java, result.Language);
        Assert.Null(result.Framework);
        Assert.Equal(0.9, result.Confidence);
        Assert.False(result.Facts.ContainsKey(DetectionFacts.JarName));
    }

    [Fact]
    public async Task DetectAsync_GradleGroovySpringBootWithWrapper_DetectsGradle()
    {
        using var app = new TempAppFolder()
            .Write("build.gradle", """
                plugins {
                    id 'java'
                    id 'org.springframework.boot' version '3.3.0'
                }
                // sourceCompatibility = '11'
                java {
                    toolchain {
                        languageVersion = JavaLanguageVersion.of(21)
                    }
                }
                """)
            .Write("gradlew", "#!/bin/sh");

        var result = await app.DetectAsync();

        Assert.Equal(Language.Java, result.Language);
        Assert.Equal("spring-boot", result.Framework);
        Assert.Equal("gradle", result.PackageManager);
        Assert.Equal("java -jar /app/app.jar", result.StartCommand);
        Assert.Equal("true", result.Facts[DetectionFacts.GradleWrapper]);
        Assert.Equal("21", result.Facts[DetectionFacts.JavaVersion]);
        Assert.Contains("build.gradle", result.Evidence);
        Assert.Contains("build.gradle: plugin org.springframework.boot", result.Evidence);
    }

    [Fact]
    public async Task DetectAsync_GradleKotlinDslSpringDependency_DetectsSpringBoot()
    {
        using var app = new TempAppFolder()
            .Write("build.gradle.kts", """
                java { sourceCompatibility = JavaVersion.VERSION_17 }
                dependencies {
                    implementation("org.springframework.boot:spring-boot-starter-web:3.3.0")
                }
                """)
            .Write("gradle.lockfile", "");

        var result = await app.DetectAsync();

        Assert.Equal("spring-boot", result.Framework);
        Assert.Equal("gradle", result.PackageManager);
        Assert.Equal("gradle.lockfile", result.Lockfile);
        Assert.Equal("17", result.Facts[DetectionFacts.JavaVersion]);
        Assert.Contains("build.gradle.kts: dependency org.springframework.boot", result.Evidence);
    }

    [Fact]
    public async Task DetectAsync_PlainPomAndSpringGradle_GradleWins()
    {
        using var app = new TempAppFolder()
            .Write("pom.xml", "<project><artifactId>legacy</artifactId></project>")
            .Write("build.gradle", "plugins { id 'org.springframework.boot' version '3.3.0' }\n");

        var result = await app.DetectAsync();

        Assert.Equal("gradle", result.PackageManager);
        Assert.Contains("pom.xml: also present, outweighed", result.Evidence);
    }
}
