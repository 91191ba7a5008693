using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DeployMind.Infrastructure.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class TokenScopes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Scope",
                table: "api_tokens",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "deploy");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Scope",
                table: "api_tokens");
        }
    }
}
