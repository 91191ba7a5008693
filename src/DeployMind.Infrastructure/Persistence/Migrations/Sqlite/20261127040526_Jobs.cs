using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DeployMind.Infrastructure.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Jobs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "fences",
                columns: table => new
                {
                    Target = table.Column<string>(type: "TEXT", nullable: false),
                    Token = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_fences", x => x.Target);
                });

            migrationBuilder.CreateTable(
                name: "jobs",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    JobId = table.Column<string>(type: "TEXT", maxLength: 36, nullable: false),
                    Environment = table.Column<string>(type: "TEXT", nullable: false),
                    Priority = table.Column<int>(type: "INTEGER", nullable: false),
                    IdempotencyKey = table.Column<string>(type: "TEXT", nullable: true),
                    Payload = table.Column<string>(type: "TEXT", nullable: false),
                    EnqueuedAtMs = table.Column<long>(type: "INTEGER", nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    VisibleAtMs = table.Column<long>(type: "INTEGER", nullable: false),
                    TakenBy = table.Column<string>(type: "TEXT", nullable: true),
                    TakenAtMs = table.Column<long>(type: "INTEGER", nullable: true),
                    TouchedAtMs = table.Column<long>(type: "INTEGER", nullable: true),
                    Deliveries = table.Column<int>(type: "INTEGER", nullable: false),
                    LeaseNonce = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    LastError = table.Column<string>(type: "TEXT", nullable: true),
                    DeadAtMs = table.Column<long>(type: "INTEGER", nullable: true),
                    AckedAtMs = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_jobs", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "lock_counters",
                columns: table => new
                {
                    Target = table.Column<string>(type: "TEXT", nullable: false),
                    LastToken = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_lock_counters", x => x.Target);
                });

            migrationBuilder.CreateTable(
                name: "locks",
                columns: table => new
                {
                    Target = table.Column<string>(type: "TEXT", nullable: false),
                    Owner = table.Column<string>(type: "TEXT", nullable: false),
                    Token = table.Column<long>(type: "INTEGER", nullable: false),
                    Nonce = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    ExpiresAtMs = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_locks", x => x.Target);
                });

            migrationBuilder.CreateIndex(
                name: "IX_jobs_Environment_State_Priority_VisibleAtMs_Id",
                table: "jobs",
                columns: new[] { "Environment", "State", "Priority", "VisibleAtMs", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_jobs_IdempotencyKey",
                table: "jobs",
                column: "IdempotencyKey",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "fences");

            migrationBuilder.DropTable(
                name: "jobs");

            migrationBuilder.DropTable(
                name: "lock_counters");

            migrationBuilder.DropTable(
                name: "locks");
        }
    }
}
