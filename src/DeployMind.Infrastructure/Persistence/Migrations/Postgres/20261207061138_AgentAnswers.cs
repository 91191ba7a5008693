using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DeployMind.Infrastructure.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AgentAnswers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "agent_answers",
                columns: table => new
                {
                    Key = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Answer = table.Column<string>(type: "text", nullable: false),
                    CreatedAtMs = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_agent_answers", x => x.Key);
                });

            migrationBuilder.CreateIndex(
                name: "IX_agent_answers_CreatedAtMs",
                table: "agent_answers",
                column: "CreatedAtMs");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "agent_answers");
        }
    }
}
