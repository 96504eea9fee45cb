use std::io::Read;

use tamga_server::users::{NewUser, UserError, create_user, remove_user, revoke_token};

pub async fn add(
    database: &str,
    name: String,
    role: String,
    party: Option<String>,
    office: Option<String>,
    password_stdin: bool,
) -> anyhow::Result<()> {
    let password = if password_stdin {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        Some(s.trim_end_matches(['\n', '\r']).to_owned())
    } else {
        None
    };
    let state = super::open(database).await?;
    match create_user(
        &state,
        NewUser {
            name: name.clone(),
            role: role.clone(),
            party,
            office,
            password,
        },
        "cli",
    )
    .await
    {
        Ok(created) => {
            println!("created {role} {name} ({})", created.id);
            println!("{}", created.token);
            Ok(())
        }
        Err(UserError::Invalid(problems)) => {
            for p in &problems.errors {
                eprintln!("{}: {} ({})", p.path, p.message, p.code);
            }
            anyhow::bail!("user not created")
        }
        Err(e) => Err(e.into()),
    }
}

async fn user_id(state: &tamga_server::AppState, name: &str) -> anyhow::Result<String> {
    match tamga_store::users::by_name(state.store.db(), name).await? {
        Some(row) => Ok(row.id),
        None => anyhow::bail!("no user named {name}"),
    }
}

/// `tamga user revoke --name N`: the user's API token stops working.
pub async fn revoke(database: &str, name: &str) -> anyhow::Result<()> {
    let state = super::open(database).await?;
    let id = user_id(&state, name).await?;
    revoke_token(&state, &id, "cli").await?;
    println!("revoked the API token of {name} ({id})");
    Ok(())
}

/// `tamga user remove --name N`: the user is gone; its token and sessions stop working.
pub async fn remove(database: &str, name: &str) -> anyhow::Result<()> {
    let state = super::open(database).await?;
    let id = user_id(&state, name).await?;
    remove_user(&state, &id, "cli").await?;
    println!("removed {name} ({id})");
    Ok(())
}
