using DeployMind.Domain.Build;
using DeployMind.Domain.Findings;

namespace DeployMind.Infrastructure.Build.Linting;

/// <summary>Every rule the Dockerfile linter knows, for docs, <c>deploymind lint --rules</c> and SARIF output.</summary>
public static class LintRuleCatalog
{
    public static LintRuleDescriptor ParseError { get; } = new(
        "DM000", "DockerfileParseError", "The Dockerfile must parse", Severity.High, LintCategory.Reliability,
        "The file cannot be built as written (no FROM, an unknown instruction, an unterminated heredoc, ...). No other rule runs on it.",
        "Correct the reported line; the finding says what Docker expects there.",
        [], []);

    public static LintRuleDescriptor BaseImageNotPinned { get; } = new(
        "DM001", "BaseImageNotPinned", "Pin base images to a version tag or digest", Severity.Medium, LintCategory.Reproducibility,
        "FROM with no tag or with ':latest' builds against whatever the registry serves today, so the same commit can produce a different image tomorrow. scratch, earlier stage names and ARG-built references whose defaults are unknown are not flagged.",
        "Write FROM <image>:<version>, and add @sha256:<digest> for byte-for-byte reproducible builds.",
        ["DL3006", "DL3007"], ["DS001"]);

    public static LintRuleDescriptor RunsAsRoot { get; } = new(
        "DM002", "ContainerRunsAsRoot", "The final stage must switch to a non-root USER", Severity.High, LintCategory.Security,
        "The image's last USER is root/0, or the final stage never sets USER (and its base is not a ':nonroot' image), so the application runs as root and a compromise owns the container.",
        "Create an unprivileged user and end the final stage with USER <name or uid>, e.g. USER 10001 (node images ship USER node; distroless has ':nonroot' tags).",
        ["DL3002"], ["DS002"]);

    public static LintRuleDescriptor SingleStageBuild { get; } = new(
        "DM003", "SingleStageBuild", "Use a multi-stage build when the image compiles or installs", Severity.Low, LintCategory.Size,
        "With a single FROM, compilers, package-manager caches and dev dependencies used to build the app stay in the shipped image.",
        "Build in a first stage (FROM <sdk image> AS build) and copy only the output into a slim runtime stage with COPY --from=build.",
        [], []);

    public static LintRuleDescriptor MissingDockerignore { get; } = new(
        "DM004", "MissingDockerignore", "Add a .dockerignore next to the Dockerfile", Severity.Low, LintCategory.Size,
        "Without .dockerignore the whole folder (.git, node_modules, .env files, build output) is sent to the builder and COPY copies it into the image; any unrelated change also busts the layer cache. Only checked when the build context is known.",
        "Create .dockerignore listing at least .git, node_modules, .env*, build output folders and the Dockerfile itself.",
        [], []);

    public static LintRuleDescriptor CopyBeforeDependencyInstall { get; } = new(
        "DM005", "CopyBeforeDependencyInstall", "Copy dependency manifests before the sources", Severity.Medium, LintCategory.Cache,
        "'COPY . .' before the dependency install means every source change invalidates the install layer, so every build re-downloads all dependencies.",
        "Copy only the manifests (package.json + lockfile, requirements.txt, go.mod/go.sum, ...), run the install, then COPY . .",
        [], []);

    public static LintRuleDescriptor AptListsNotRemoved { get; } = new(
        "DM006", "AptListsNotRemoved", "Remove /var/lib/apt/lists/* in the RUN that runs apt-get", Severity.Low, LintCategory.Size,
        "apt-get update downloads package indexes (tens of MB) that stay in the layer unless the same RUN deletes them. Checked in stages that end up in the shipped image.",
        "End the RUN with '&& rm -rf /var/lib/apt/lists/*', or use RUN --mount=type=cache,target=/var/lib/apt/lists.",
        ["DL3009"], []);

    public static LintRuleDescriptor PipCacheKept { get; } = new(
        "DM007", "PipCacheKept", "Use pip install --no-cache-dir", Severity.Low, LintCategory.Size,
        "pip keeps every downloaded wheel in ~/.cache/pip, which stays in the layer. Not flagged when PIP_NO_CACHE_DIR is set in the stage or the cache is a cache mount. Checked in stages that end up in the shipped image.",
        "Add --no-cache-dir to pip install, or set ENV PIP_NO_CACHE_DIR=1 before it.",
        ["DL3042"], []);

    public static LintRuleDescriptor AptGetWithoutYes { get; } = new(
        "DM008", "AptGetInstallWithoutYes", "apt-get install needs -y", Severity.Medium, LintCategory.Reliability,
        "Without -y (or --yes, -qq) apt-get asks for confirmation, which a build cannot answer, so the build fails.",
        "Write apt-get install -y --no-install-recommends <packages>.",
        ["DL3014"], ["DS021"]);

    public static LintRuleDescriptor AptGetInstallRecommends { get; } = new(
        "DM009", "AptGetInstallsRecommends", "Use apt-get install --no-install-recommends", Severity.Low, LintCategory.Size,
        "By default apt-get also installs 'recommended' packages the application rarely needs, often doubling the layer. Checked in stages that end up in the shipped image.",
        "Add --no-install-recommends and list what you need explicitly.",
        ["DL3015"], ["DS029"]);

    public static LintRuleDescriptor AptGetUpgrade { get; } = new(
        "DM010", "AptGetUpgrade", "Do not run apt-get upgrade / dist-upgrade in a Dockerfile", Severity.Low, LintCategory.Reproducibility,
        "Upgrading every package at build time makes the image depend on the day it was built; updates belong to the base image.",
        "Remove the upgrade and move to a newer base image tag; upgrade a single package with apt-get install -y --only-upgrade <package> if you must.",
        ["DL3005"], ["DS024"]);

    public static LintRuleDescriptor AptInsteadOfAptGet { get; } = new(
        "DM011", "AptInsteadOfAptGet", "Use apt-get, not apt, in scripts", Severity.Low, LintCategory.Reliability,
        "apt is meant for people: its output and options are not stable for scripts and it warns so.",
        "Replace apt with apt-get (apt-get update, apt-get install -y ...).",
        ["DL3027"], []);

    public static LintRuleDescriptor ApkCacheKept { get; } = new(
        "DM012", "ApkCacheKept", "Use apk add --no-cache", Severity.Low, LintCategory.Size,
        "apk add without --no-cache leaves the package index in /var/cache/apk in the layer. Checked in stages that end up in the shipped image.",
        "Write apk add --no-cache <packages> (no separate apk update needed).",
        ["DL3019"], ["DS025"]);

    public static LintRuleDescriptor AddInsteadOfCopy { get; } = new(
        "DM013", "AddInsteadOfCopy", "Use COPY for local files", Severity.Low, LintCategory.Reliability,
        "ADD also downloads URLs and unpacks archives; for plain local files that magic only surprises. ADD of URLs and of tar archives to unpack is fine.",
        "Replace ADD with COPY for local files and folders.",
        ["DL3020"], ["DS005"]);

    public static LintRuleDescriptor CdInRun { get; } = new(
        "DM014", "CdInRun", "Use WORKDIR instead of cd", Severity.Low, LintCategory.Style,
        "cd in a RUN lasts only for that RUN, which hides where later instructions run and is easy to get wrong.",
        "Set the directory with WORKDIR /path before the RUN.",
        ["DL3003"], ["DS013"]);

    public static LintRuleDescriptor ShellFormCommand { get; } = new(
        "DM015", "ShellFormCommand", "Write CMD and ENTRYPOINT in exec (JSON) form", Severity.Medium, LintCategory.Reliability,
        "In shell form the process runs under /bin/sh -c: it is not PID 1, does not receive SIGTERM on docker stop and gets killed after the timeout.",
        "Write CMD [\"executable\", \"arg\"]; for shell features use an entrypoint script that ends with exec \"$@\".",
        ["DL3025"], []);

    public static LintRuleDescriptor PipeWithoutPipefail { get; } = new(
        "DM016", "PipeWithoutPipefail", "Set -o pipefail before piping in RUN", Severity.Low, LintCategory.Reliability,
        "/bin/sh reports only the last command of a pipe, so 'curl ... | tar x' succeeds even when the download fails.",
        "Add SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"] before the RUN, or start the RUN with set -o pipefail &&.",
        ["DL4006"], ["DS032"]);

    public static LintRuleDescriptor MultipleCommands { get; } = new(
        "DM017", "MultipleCmdOrEntrypoint", "One CMD and one ENTRYPOINT per stage", Severity.Low, LintCategory.Reliability,
        "Only the last CMD (or ENTRYPOINT) of a stage takes effect; earlier ones are dead code that misleads readers.",
        "Delete the earlier CMD/ENTRYPOINT and keep the one that should run.",
        ["DL4003", "DL4004"], ["DS007", "DS016"]);

    public static LintRuleDescriptor SecretInEnv { get; } = new(
        "DM018", "SecretInEnv", "No secrets in ENV", Severity.Critical, LintCategory.Security,
        "An ENV whose name looks like a credential (password, token, secret, api key, ...) and has a value is baked into the image config: anyone who can pull the image can read it with docker inspect.",
        "Remove the value; pass it at run time (docker run -e, an orchestrator secret) or use RUN --mount=type=secret during the build.",
        [], ["DS031"]);

    public static LintRuleDescriptor SecretInArgDefault { get; } = new(
        "DM019", "SecretInArgDefault", "No secrets as ARG defaults", Severity.High, LintCategory.Security,
        "An ARG whose name looks like a credential has a literal default: it is committed with the Dockerfile and recorded in the image history.",
        "Remove the default and use RUN --mount=type=secret,id=<name> with docker build --secret.",
        [], ["DS031"]);

    public static LintRuleDescriptor SecretBuildArg { get; } = new(
        "DM020", "SecretBuildArg", "Pass secrets with --secret, not build args", Severity.Medium, LintCategory.Security,
        "A build ARG whose name looks like a credential ends up in the image history (docker history) of every layer that uses it.",
        "Replace the ARG with RUN --mount=type=secret,id=<name> and docker build --secret id=<name>,env=<NAME>.",
        [], ["DS031"]);

    public static LintRuleDescriptor SudoInRun { get; } = new(
        "DM021", "SudoInRun", "Do not use sudo in RUN", Severity.Medium, LintCategory.Security,
        "Build steps already run as the current USER; sudo adds a setuid binary and unpredictable TTY/environment behaviour.",
        "Run the step as root (USER root before it, then switch back to the non-root USER) instead of sudo.",
        ["DL3004"], ["DS010"]);

    public static LintRuleDescriptor ExposeInvalidPort { get; } = new(
        "DM022", "ExposeInvalidPort", "EXPOSE ports must be within 1-65535", Severity.Medium, LintCategory.Reliability,
        "A port outside 1-65535 (or a malformed one) cannot be published; Docker rejects or ignores it.",
        "Write EXPOSE <port>[/tcp|/udp] with 1 <= port <= 65535, or a range like 8000-8010.",
        ["DL3011"], ["DS008"]);

    public static LintRuleDescriptor RelativeWorkdir { get; } = new(
        "DM023", "RelativeWorkdir", "Use an absolute WORKDIR", Severity.Low, LintCategory.Reliability,
        "A relative WORKDIR is resolved against the previous one, so moving a line changes where files land.",
        "Write an absolute path, e.g. WORKDIR /app.",
        ["DL3000"], ["DS009"]);

    public static LintRuleDescriptor MaintainerDeprecated { get; } = new(
        "DM024", "MaintainerDeprecated", "MAINTAINER is deprecated", Severity.Info, LintCategory.Style,
        "MAINTAINER has been deprecated since Docker 1.13; labels carry the same information.",
        "Replace it with LABEL maintainer=\"name <email>\" (or org.opencontainers.image.authors).",
        ["DL4000"], ["DS022"]);

    public static LintRuleDescriptor CopyFromOwnStage { get; } = new(
        "DM025", "CopyFromOwnStage", "COPY --from must not name its own stage", Severity.High, LintCategory.Reliability,
        "A stage cannot copy from itself; the build fails with a circular dependency.",
        "Point --from at an earlier stage (FROM ... AS build, then COPY --from=build ...) or an image.",
        ["DL3023"], ["DS006"]);

    public static LintRuleDescriptor PipeRemoteScriptToShell { get; } = new(
        "DM026", "PipeRemoteScriptToShell", "Do not pipe downloaded scripts into a shell", Severity.Medium, LintCategory.Security,
        "curl ... | sh runs whatever the server returns at build time, unverified; a compromised or changed script compromises the image.",
        "Download to a file, verify its SHA-256 (sha256sum -c), then run it; better, install a pinned package or release binary.",
        [], []);

    public static LintRuleDescriptor WorldWritable { get; } = new(
        "DM027", "WorldWritablePermissions", "Do not make files world-writable (chmod 777)", Severity.Medium, LintCategory.Security,
        "chmod 777 / o+w lets any process in the container rewrite the files, e.g. the application code.",
        "Give ownership to the runtime user instead: COPY --chown=<user> ... or chown, and use 755 for folders and 644 for files.",
        [], []);

    /// <summary>All rules, ordered by id.</summary>
    public static IReadOnlyList<LintRuleDescriptor> Rules { get; } =
    [
        ParseError, BaseImageNotPinned, RunsAsRoot, SingleStageBuild, MissingDockerignore, CopyBeforeDependencyInstall,
        AptListsNotRemoved, PipCacheKept, AptGetWithoutYes, AptGetInstallRecommends, AptGetUpgrade, AptInsteadOfAptGet,
        ApkCacheKept, AddInsteadOfCopy, CdInRun, ShellFormCommand, PipeWithoutPipefail, MultipleCommands, SecretInEnv,
        SecretInArgDefault, SecretBuildArg, SudoInRun, ExposeInvalidPort, RelativeWorkdir, MaintainerDeprecated,
        CopyFromOwnStage, PipeRemoteScriptToShell, WorldWritable,
    ];

    /// <summary>The rule with this id (case-insensitive), or null.</summary>
    public static LintRuleDescriptor? Find(string id) =>
        Rules.FirstOrDefault(r => string.Equals(r.Id, id, StringComparison.OrdinalIgnoreCase));

    /// <summary>Our rule ids a hadolint id maps to (e.g. DL3007 → DM001); empty when there is no equivalent.</summary>
    public static IReadOnlyList<string> FromHadolint(string hadolintId) =>
        [.. Rules.Where(r => r.HadolintIds.Contains(hadolintId, StringComparer.OrdinalIgnoreCase)).Select(r => r.Id)];
}
