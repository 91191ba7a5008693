using DeployMind.Domain.Build;

namespace DeployMind.Infrastructure.Build.Detection;

/// <summary>
/// Keys of <see cref="DetectionResult.Facts"/>: language-specific details the Dockerfile templates need.
/// A key is present only when the fact was found; values are raw (as written in the file) unless stated.
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>Key</term><description>Meaning (language)</description></listheader>
/// <item><term><c>buildScript</c></term><description>"true" when package.json has a "build" script (Node).</description></item>
/// <item><term><c>startScript</c></term><description>package.json's "start" script as written, e.g. "node server.js" (Node); absent when there is none.</description></item>
/// <item><term><c>nodeVersion</c></term><description>package.json engines.node, else .nvmrc / .node-version, raw (e.g. "&gt;=18", "20.11.1") (Node).</description></item>
/// <item><term><c>pythonVersion</c></term><description>.python-version, else pyproject requires-python / poetry "python", else Pipfile python_version, else runtime.txt, raw (Python).</description></item>
/// <item><term><c>requirementsFile</c></term><description>Relative path of the pip requirements file (e.g. "requirements.txt") (Python).</description></item>
/// <item><term><c>pythonProject</c></term><description>The Django project package holding wsgi.py (e.g. "mysite") (Python).</description></item>
/// <item><term><c>pythonAppModule</c></term><description>The ASGI/WSGI target the start command serves (e.g. "main:app") (Python).</description></item>
/// <item><term><c>goVersion</c></term><description>go.mod <c>go</c> directive (e.g. "1.22") (Go).</description></item>
/// <item><term><c>goModule</c></term><description>go.mod module path (Go).</description></item>
/// <item><term><c>goMainPackage</c></term><description>The package to build, "." or "./cmd/&lt;name&gt;" (Go).</description></item>
/// <item><term><c>javaVersion</c></term><description>pom.xml java.version / maven.compiler.release|target, or the Gradle toolchain / sourceCompatibility (Java).</description></item>
/// <item><term><c>mavenWrapper</c></term><description>"true" when mvnw is present (Java).</description></item>
/// <item><term><c>gradleWrapper</c></term><description>"true" when gradlew is present (Java).</description></item>
/// <item><term><c>jarName</c></term><description>The jar Maven builds ("&lt;finalName|artifactId-version&gt;.jar"), when the pom states it literally (Java).</description></item>
/// <item><term><c>rubyVersion</c></term><description>.ruby-version, else the Gemfile <c>ruby</c> line, raw (Ruby).</description></item>
/// <item><term><c>rustBinary</c></term><description>The binary Cargo builds (Rust).</description></item>
/// <item><term><c>phpVersion</c></term><description>composer.json require.php, raw (e.g. "^8.2") (PHP).</description></item>
/// <item><term><c>dotnetProject</c></term><description>Relative path of the .csproj that is built (.NET).</description></item>
/// <item><term><c>dotnetAssembly</c></term><description>The assembly name, i.e. "&lt;dotnetAssembly&gt;.dll" is started (.NET).</description></item>
/// <item><term><c>dotnetTargetFramework</c></term><description>The project's TargetFramework (e.g. "net8.0"), when set in the .csproj (.NET).</description></item>
/// </list>
/// </remarks>
internal static class DetectionFacts
{
    public const string BuildScript = "buildScript";
    public const string StartScript = "startScript";
    public const string NodeVersion = "nodeVersion";
    public const string PythonVersion = "pythonVersion";
    public const string RequirementsFile = "requirementsFile";
    public const string PythonProject = "pythonProject";
    public const string PythonAppModule = "pythonAppModule";
    public const string GoVersion = "goVersion";
    public const string GoModule = "goModule";
    public const string GoMainPackage = "goMainPackage";
    public const string JavaVersion = "javaVersion";
    public const string MavenWrapper = "mavenWrapper";
    public const string GradleWrapper = "gradleWrapper";
    public const string JarName = "jarName";
    public const string RubyVersion = "rubyVersion";
    public const string RustBinary = "rustBinary";
    public const string PhpVersion = "phpVersion";
    public const string DotNetProject = "dotnetProject";
    public const string DotNetAssembly = "dotnetAssembly";
    public const string DotNetTargetFramework = "dotnetTargetFramework";

    /// <summary>The value used for yes/no facts.</summary>
    public const string True = "true";
}
