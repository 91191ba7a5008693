using System.Text.Json.Nodes;

namespace DeployMind.IntegrationTests.Kubernetes;

public sealed partial class FakeKubernetesApiServer
{
    /// <summary>One step of the deployment controller and the kubelet for a Deployment, then its status written back.</summary>
    private void Step(Stored deployment)
    {
        var body = deployment.Body;
        var name = deployment.Name;
        var sets = _replicaSets[name];
        var generation = Num(body["metadata"]!["generation"]);
        var status = body["status"]!.AsObject();
        var replicas = (int)Num(body["spec"]!["replicas"]);
        var template = (JsonObject)body["spec"]!["template"]!.DeepClone();
        var image = body["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>();
        var current = sets.FirstOrDefault(r => Identity(r.Template) == Identity(template));
        deployment.ReadsSinceChange++;
        if (Num(status["observedGeneration"]) < generation)
        {
            // The controller sees the new spec: the template's ReplicaSet (new, or an old one again: a rollback) becomes the newest revision.
            var revision = sets.Count == 0 ? 1 : sets.Max(r => r.Revision) + 1;
            if (current is null)
            {
                var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Identity(template))))[..10];
                current = new ReplicaSet($"{name}-{hash}", revision, hash, template, image);
                sets.Add(current);
                Event("Deployment", name, "Normal", "ScalingReplicaSet", $"Scaled up replica set {current.Name}");
            }
            else if (current != sets.MaxBy(r => r.Revision))
            {
                current.Revision = revision;
            }

            body["metadata"]!["annotations"] = new JsonObject { [RevisionKey] = Revision(current.Revision) };
            status["observedGeneration"] = generation;
            WriteStatus(body, sets, current, replicas, deployment);
            return;
        }

        if (current is not null)
        {
            Progress(sets, current, replicas);
            CleanUp(sets, current, body["spec"]!["revisionHistoryLimit"] is { } limit ? (int)Num(limit) : 10);
        }

        WriteStatus(body, sets, current, replicas, deployment);
    }

    private const string RevisionKey = "deployment.kubernetes.io/revision";

    /// <summary>What makes two pod templates the same here (the real controller hashes the whole template): image, release and restart stamp.</summary>
    private static string Identity(JsonObject template) =>
        $"{template["spec"]?["containers"]?[0]?["image"]}|{template["metadata"]?["labels"]?["deploymind.dev/release"]}|{template["metadata"]?["annotations"]?["kubectl.kubernetes.io/restartedAt"]}";

    /// <summary>RollingUpdate with maxSurge 1, maxUnavailable 0: one new pod at a time, an old one goes once a new one is ready.</summary>
    private void Progress(List<ReplicaSet> sets, ReplicaSet current, int replicas)
    {
        var old = sets.Where(r => r != current && r.Pods.Count > 0).ToList();
        while (current.Pods.Count > replicas)
        {
            current.Pods.RemoveAt(current.Pods.Count - 1);
        }

        if (replicas == 0)
        {
            old.ForEach(r => r.Pods.Clear());
            return;
        }

        var notReady = current.Pods.Count(p => !p.Ready);
        if (current.Pods.Count < replicas && notReady == 0)
        {
            var pod = new Pod($"{current.Name}-{current.NextPod++:00}");
            current.Pods.Add(pod);
            if (CrashingImages.Contains(current.Image))
            {
                (pod.Waiting, pod.Restarts) = ("CrashLoopBackOff", 3);
                Event("Pod", pod.Name, "Warning", "BackOff", $"Back-off restarting failed container app in pod {pod.Name}");
            }
            else if (NeverReadyImages.Contains(current.Image))
            {
                Event("Pod", pod.Name, "Warning", "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503");
            }
            else
            {
                pod.Ready = true;
            }

            return;
        }

        if (notReady == 0 && old.Count > 0)
        {
            var from = old[0];
            from.Pods.RemoveAt(from.Pods.Count - 1);
        }
    }

    /// <summary>The controller's clean-up: once no old pod is left, old ReplicaSets beyond revisionHistoryLimit go, oldest first.</summary>
    private static void CleanUp(List<ReplicaSet> sets, ReplicaSet current, int limit)
    {
        var old = sets.Where(r => r != current).OrderBy(r => r.Revision).ToList();
        if (old.Any(r => r.Pods.Count > 0))
        {
            return;
        }

        foreach (var set in old.Take(Math.Max(0, old.Count - limit)))
        {
            sets.Remove(set);
        }
    }

    private void WriteStatus(JsonObject body, List<ReplicaSet> sets, ReplicaSet? current, int replicas, Stored deployment)
    {
        var pods = sets.SelectMany(r => r.Pods).ToList();
        var updated = current?.Pods.Count ?? 0;
        var updatedReady = current?.Pods.Count(p => p.Ready) ?? 0;
        var ready = pods.Count(p => p.Ready);
        var complete = updated == replicas && updatedReady == replicas && pods.Count == replicas;
        var stalled = current is not null && !complete && NeverReadyImages.Contains(current.Image) && deployment.ReadsSinceChange > ReadsUntilDeadlineExceeded;
        var status = body["status"]!.AsObject();
        status["replicas"] = pods.Count;
        status["updatedReplicas"] = updated;
        status["readyReplicas"] = ready;
        status["availableReplicas"] = ready;
        status["unavailableReplicas"] = Math.Max(0, replicas - ready);
        status["conditions"] = new JsonArray(
            new JsonObject { ["type"] = "Available", ["status"] = ready >= replicas ? "True" : "False", ["reason"] = "MinimumReplicasAvailable" },
            stalled
                ? new JsonObject { ["type"] = "Progressing", ["status"] = "False", ["reason"] = "ProgressDeadlineExceeded", ["message"] = $"ReplicaSet \"{current!.Name}\" has timed out progressing." }
                : new JsonObject { ["type"] = "Progressing", ["status"] = "True", ["reason"] = complete ? "NewReplicaSetAvailable" : "ReplicaSetUpdated" });
        if (stalled && !_events.Any(e => e["reason"]?.GetValue<string>() == "ProgressDeadlineExceeded" && e["involvedObject"]?["name"]?.GetValue<string>() == deployment.Name))
        {
            Event("Deployment", deployment.Name, "Warning", "ProgressDeadlineExceeded", $"ReplicaSet \"{current!.Name}\" has timed out progressing.");
        }
    }

    private IEnumerable<JsonNode> PodObjects(string selector)
    {
        foreach (var sets in _replicaSets.Values)
        {
            foreach (var set in sets)
            {
                var labels = (JsonObject)set.Template["metadata"]!["labels"]!.DeepClone();
                labels["pod-template-hash"] = set.Hash;
                if (!Matches(labels, selector))
                {
                    continue;
                }

                foreach (var pod in set.Pods)
                {
                    if (RestartingImages.Contains(set.Image) && pod.Ready)
                    {
                        pod.Restarts++;
                    }

                    var state = pod.Waiting is { } reason
                        ? new JsonObject { ["waiting"] = new JsonObject { ["reason"] = reason, ["message"] = $"back-off 40s restarting failed container=app pod={pod.Name}" } }
                        : new JsonObject { ["running"] = new JsonObject { ["startedAt"] = Now() } };
                    yield return new JsonObject
                    {
                        ["metadata"] = new JsonObject { ["name"] = pod.Name, ["namespace"] = "shop", ["labels"] = labels.DeepClone() },
                        ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = set.Image }) },
                        ["status"] = new JsonObject
                        {
                            ["phase"] = "Running",
                            ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = pod.Ready ? "True" : "False" }),
                            ["containerStatuses"] = new JsonArray(new JsonObject
                            {
                                ["name"] = "app",
                                ["image"] = set.Image,
                                ["imageID"] = string.Empty,
                                ["ready"] = pod.Ready,
                                ["restartCount"] = pod.Restarts,
                                ["state"] = state,
                                ["lastState"] = pod.Restarts > 0 ? new JsonObject { ["terminated"] = new JsonObject { ["reason"] = "Error", ["exitCode"] = 1 } } : new JsonObject(),
                            }),
                        },
                    };
                }
            }
        }
    }

    private IEnumerable<JsonNode> ReplicaSetObjects(string selector)
    {
        foreach (var (deployment, sets) in _replicaSets)
        {
            var uid = _objects.TryGetValue(Key("deployments", deployment), out var owner) ? owner.Body["metadata"]!["uid"]!.GetValue<string>() : "gone";
            foreach (var set in sets)
            {
                var labels = (JsonObject)set.Template["metadata"]!["labels"]!.DeepClone();
                labels["pod-template-hash"] = set.Hash;
                if (!Matches(labels, selector))
                {
                    continue;
                }

                var template = (JsonObject)set.Template.DeepClone();
                template["metadata"]!["labels"] = labels.DeepClone();
                yield return new JsonObject
                {
                    ["metadata"] = new JsonObject
                    {
                        ["name"] = set.Name,
                        ["namespace"] = "shop",
                        ["labels"] = labels,
                        ["annotations"] = new JsonObject { [RevisionKey] = Revision(set.Revision) },
                        ["ownerReferences"] = new JsonArray(new JsonObject { ["apiVersion"] = "apps/v1", ["kind"] = "Deployment", ["name"] = deployment, ["uid"] = uid, ["controller"] = true }),
                    },
                    ["spec"] = new JsonObject { ["replicas"] = set.Pods.Count, ["selector"] = new JsonObject { ["matchLabels"] = labels.DeepClone() }, ["template"] = template },
                    ["status"] = new JsonObject { ["replicas"] = set.Pods.Count },
                };
            }
        }
    }
}
