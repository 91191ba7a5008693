# DeployMind's own image: `deploymind build .` (or `docker build --network host -t deploymind .`) at the repository root.
# No Docker Hub: both stages build on the local base images of scripts/base-images/build.sh (run by scripts/bootstrap.sh);
# NuGet is reached during the build, so build with the host network (build.network: host in /etc/deploymind/config.yml).
# See docs/server.md, "As a container image".

# Build stage: this machine's .NET SDK; restore from the project files alone (cached until one changes), then publish
# self-contained for linux-x64 (no .NET runtime needed in the final image). Not ReadyToRun: `serve` is a long-running
# process, and precompiling every assembly made the build several times slower and the image larger.
FROM deploymind-base/dotnet-sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/DeployMind.Domain/DeployMind.Domain.csproj src/DeployMind.Domain/
COPY src/DeployMind.Application/DeployMind.Application.csproj src/DeployMind.Application/
COPY src/DeployMind.Infrastructure/DeployMind.Infrastructure.csproj src/DeployMind.Infrastructure/
COPY src/DeployMind.Server/DeployMind.Server.csproj src/DeployMind.Server/
COPY src/DeployMind.Cli/DeployMind.Cli.csproj src/DeployMind.Cli/
RUN dotnet restore src/DeployMind.Cli/DeployMind.Cli.csproj --runtime linux-x64 -p:SelfContained=true -p:PublishReadyToRun=false
COPY src/ src/
RUN dotnet publish src/DeployMind.Cli/DeployMind.Cli.csproj --configuration Release --runtime linux-x64 --self-contained \
      --no-restore --output /out -p:UseAppHost=true -p:PublishReadyToRun=false -nologo

# Runtime stage: the local Debian 12 base (libc, OpenSSL, CA certificates), ssh and git for the deployments the
# server's workers run, an unprivileged user, the records in a volume.
FROM deploymind-base/debian:bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends openssh-client git \
 && rm -rf /var/lib/apt/lists/* /usr/share/doc/* \
 && groupadd --gid 10001 deploymind \
 && useradd --uid 10001 --gid deploymind --home-dir /var/lib/deploymind --create-home --shell /usr/sbin/nologin deploymind
COPY --from=build /out /opt/deploymind
COPY scripts/image/entrypoint.sh /usr/local/bin/deploymind-entrypoint
RUN ln -s /opt/deploymind/deploymind /usr/local/bin/deploymind
# DEPLOYMIND_HOME holds the SQLite records (deploymind.db) and the user configuration (config.yml): mount a volume there.
ENV DEPLOYMIND_HOME=/var/lib/deploymind DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
VOLUME /var/lib/deploymind
WORKDIR /var/lib/deploymind
USER 10001:10001
EXPOSE 8090
ENTRYPOINT ["deploymind-entrypoint"]
CMD ["serve"]
