using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace DeployMind.Infrastructure.Persistence.Migrations.Postgres
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
                    Target = table.Column<string>(type: "text", nullable: false),
                    Token = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_fences", x => x.Target);
                });

            migrationBuilder.CreateTable(
                name: "jobs",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    JobId = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: false),
                    Environment = table.Column<string>(type: "text", nullable: false),
                    Priority = table.Column<int>(type: "integer", nullable: false),
                    IdempotencyKey = table.Column<string>(type: "text", nullable: true),
                    Payload = table.Column<string>(type: "text", nullable: false),
                    EnqueuedAtMs = table.Column<long>(type: "bigint", nullable: false),
                    State = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    VisibleAtMs = table.Column<long>(type: "bigint", nullable: false),
                    TakenBy = table.Column<string>(type: "text", nullable: true),
                    TakenAtMs = table.Column<long>(type: "bigint", nullable: true),
                    TouchedAtMs = table.Column<long>(type: "bigint", nullable: true),
                    Deliveries = table.Column<int>(type: "integer", nullable: false),
                    LeaseNonce = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    LastError = table.Column<string>(type: "text", nullable: true),
                    DeadAtMs = table.Column<long>(type: "bigint", nullable: true),
                    AckedAtMs = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_jobs", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "lock_counters",
                columns: table => new
                {
                    Target = table.Column<string>(type: "text", nullable: false),
                    LastToken = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_lock_counters", x => x.Target);
                });

            migrationBuilder.CreateTable(
                name: "locks",
                columns: table => new
                {
                    Target = table.Column<string>(type: "text", nullable: false),
                    Owner = table.Column<string>(type: "text", nullable: false),
                    Token = table.Column<long>(type: "bigint", nullable: false),
                    Nonce = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    ExpiresAtMs = table.Column<long>(type: "bigint", nullable: false)
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
