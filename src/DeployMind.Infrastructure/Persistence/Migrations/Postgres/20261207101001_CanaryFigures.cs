using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DeployMind.Infrastructure.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class CanaryFigures : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "CanaryFigures",
                table: "deployments",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "CanaryFigures",
                table: "deployments");
        }
    }
}
