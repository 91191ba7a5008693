using System.Security;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace DeployMind.IntegrationTests.Support;

/// <summary>EC2's Query protocol (form-encoded POST, XML answers), DescribeInstances only: <c>tag:K</c>, <c>tag-key</c> and <c>instance-state-name</c> filters.</summary>
public sealed partial class FakeAws
{
    private const string Ec2Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/";

    private async Task HandleEc2Async(HttpContext context, IFormCollection form)
    {
        context.Response.ContentType = "text/xml;charset=UTF-8";
        if (form["Action"] != "DescribeInstances")
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsync(
                $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error><Code>InvalidAction</Code><Message>{SecurityElement.Escape(form["Action"].ToString())} is not served by the fake.</Message></Error></Errors><RequestID>{Guid.NewGuid()}</RequestID></Response>");
            return;
        }

        var filters = new List<(string Name, List<string> Values)>();
        for (var i = 1; form.ContainsKey($"Filter.{i}.Name"); i++)
        {
            var values = new List<string>();
            for (var j = 1; form.TryGetValue($"Filter.{i}.Value.{j}", out var value); j++)
            {
                values.Add(value.ToString());
            }

            filters.Add((form[$"Filter.{i}.Name"].ToString(), values));
        }

        var matching = _instances.Values.Where(instance => filters.All(f => Matches(instance, f.Name, f.Values))).OrderBy(i => i.InstanceId, StringComparer.Ordinal);
        var xml = new StringBuilder($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><DescribeInstancesResponse xmlns=\"{Ec2Namespace}\"><requestId>{Guid.NewGuid()}</requestId><reservationSet>");
        foreach (var instance in matching)
        {
            xml.Append("<item><reservationId>r-").Append(instance.InstanceId[2..]).Append("</reservationId><ownerId>123456789012</ownerId><instancesSet><item>")
                .Append("<instanceId>").Append(instance.InstanceId).Append("</instanceId>")
                .Append("<instanceState><code>").Append(instance.State == "running" ? 16 : 80).Append("</code><name>").Append(instance.State).Append("</name></instanceState>")
                .Append("<tagSet>");
            foreach (var (key, value) in instance.Tags)
            {
                xml.Append("<item><key>").Append(SecurityElement.Escape(key)).Append("</key><value>").Append(SecurityElement.Escape(value)).Append("</value></item>");
            }

            xml.Append("</tagSet></item></instancesSet></item>");
        }

        xml.Append("</reservationSet></DescribeInstancesResponse>");
        await context.Response.WriteAsync(xml.ToString());
    }

    private static bool Matches(FakeAwsInstance instance, string filter, List<string> values)
    {
        if (filter == "instance-state-name")
        {
            return values.Contains(instance.State);
        }

        if (filter == "tag-key")
        {
            return values.Any(instance.Tags.ContainsKey);
        }

        if (filter.StartsWith("tag:", StringComparison.Ordinal))
        {
            return instance.Tags.TryGetValue(filter[4..], out var value) && values.Contains(value);
        }

        return true;
    }
}
