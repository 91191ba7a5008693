// Integration tests share one Docker engine on a 2-core machine: run them one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
