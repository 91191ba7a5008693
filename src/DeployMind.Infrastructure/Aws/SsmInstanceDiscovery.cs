using Amazon.EC2.Model;
using Amazon.Runtime;
using Amazon.SimpleSystemsManagement.Model;
using DeployMind.Application.Configuration;
using DeployMind.Domain;
using Ec2Filter = Amazon.EC2.Model.Filter;

namespace DeployMind.Infrastructure.Aws;

/// <summary>An instance found by <see cref="SsmInstanceDiscovery"/>: its id and Name tag (if any).</summary>
internal sealed record DiscoveredInstance(string InstanceId, string? Name);

/// <summary>
/// Finds the EC2 instances an SSM host entry's tags select: running instances with every tag (EC2 DescribeInstances),
/// kept only when their SSM agent reports Online (SSM DescribeInstanceInformation), ordered by id.
/// </summary>
internal sealed class SsmInstanceDiscovery
{
    private const int InformationBatch = 50;

    private readonly AwsClients _aws;

    public SsmInstanceDiscovery(AwsClients aws)
    {
        _aws = aws;
    }

    /// <exception cref="InvalidInputException">No running instance with the tags has its agent online (the message names the tags and what was found), or AWS refused.</exception>
    public async Task<IReadOnlyList<DiscoveredInstance>> DiscoverAsync(string entry, SsmHostOptions ssm, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ssm);
        var region = string.IsNullOrWhiteSpace(ssm.Region) ? null : ssm.Region.Trim();
        var tags = ssm.TagsText();
        var running = new List<DiscoveredInstance>();
        try
        {
            var request = new DescribeInstancesRequest
            {
                Filters =
                [
                    .. (ssm.Tags ?? []).OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => new Ec2Filter("tag:" + t.Key, [t.Value])),
                    new Ec2Filter("instance-state-name", ["running"]),
                ],
            };
            do
            {
                var response = await _aws.Ec2(region).DescribeInstancesAsync(request, cancellationToken);
                foreach (var instance in (response.Reservations ?? []).SelectMany(r => r.Instances ?? []))
                {
                    running.Add(new DiscoveredInstance(instance.InstanceId, instance.Tags?.FirstOrDefault(t => t.Key == "Name")?.Value));
                }

                request.NextToken = response.NextToken;
            }
            while (!string.IsNullOrEmpty(request.NextToken));

            var status = await PingStatusesAsync(running.Select(i => i.InstanceId).ToList(), region, cancellationToken);
            var online = running.Where(i => status.GetValueOrDefault(i.InstanceId) == "Online").OrderBy(i => i.InstanceId, StringComparer.Ordinal).ToList();
            if (online.Count > 0)
            {
                return online;
            }

            var found = running.Count == 0
                ? "none is running"
                : "found " + string.Join(", ", running.Select(i => $"{i.InstanceId} (SSM agent {status.GetValueOrDefault(i.InstanceId) ?? "not registered"})"));
            throw new InvalidInputException(
                $"Host {entry}: no running EC2 instance{(region is null ? string.Empty : " in " + region)} with tags {tags} has its SSM agent online ({found}).");
        }
        catch (AmazonServiceException ex)
        {
            throw new InvalidInputException(
                $"Host {entry}: could not find the EC2 instances with tags {tags}: {ex.ErrorCode}: {ex.Message} (DeployMind's AWS identity needs ec2:DescribeInstances and ssm:DescribeInstanceInformation).", ex);
        }
        catch (Exception ex) when (ex is AmazonClientException or HttpRequestException or IOException)
        {
            throw new InvalidInputException(
                $"Host {entry}: could not reach AWS to find the EC2 instances with tags {tags}: {ex.Message} (credentials and region come from the standard AWS chain: environment, profile, instance role).", ex);
        }
    }

    /// <summary>The SSM agent's PingStatus (Online, ConnectionLost, Inactive) of each instance SSM knows; absent: not registered.</summary>
    public async Task<Dictionary<string, string>> PingStatusesAsync(IReadOnlyList<string> instanceIds, string? region, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(instanceIds);
        var status = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var batch in instanceIds.Chunk(InformationBatch))
        {
            var request = new DescribeInstanceInformationRequest
            {
                Filters = [new InstanceInformationStringFilter { Key = "InstanceIds", Values = [.. batch] }],
            };
            do
            {
                var response = await _aws.Ssm(region).DescribeInstanceInformationAsync(request, cancellationToken);
                foreach (var info in response.InstanceInformationList ?? [])
                {
                    status[info.InstanceId] = info.PingStatus?.Value ?? "unknown";
                }

                request.NextToken = response.NextToken;
            }
            while (!string.IsNullOrEmpty(request.NextToken));
        }

        return status;
    }
}
